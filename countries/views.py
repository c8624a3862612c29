from django.contrib.messages.views import SuccessMessageMixin
from django.db.models import Count
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView
from django_filters.views import FilterView

from core.concurrency import RevisionCheckedFormViewMixin
from core.mixins import PermissionRequiredMixin

from .filters import ActorFilter, PersonFilter
from .forms import ActorForm, CountryForm, PersonForm
from .models import Actor, Country, Person, focal_points_prefetch

# --- countries ---------------------------------------------------------------


class CountryList(PermissionRequiredMixin, ListView):
    permission_required = "countries.view_country"

    def get_queryset(self):
        return Country.objects.with_figures()


class CountryMixin:
    model = Country
    slug_field = "code"
    slug_url_kwarg = "code"


class CountryDetail(PermissionRequiredMixin, CountryMixin, DetailView):
    permission_required = "countries.view_country"
    permission_object = True

    def get_context_data(self, **kwargs):
        # Ordered explicitly: a GROUP BY query ignores Meta.ordering.
        actors = (
            self.object.actors.annotate(num_people=Count("people"))
            .order_by("name")
            .prefetch_related(focal_points_prefetch())
        )
        return super().get_context_data(actors=actors, **kwargs)


class CountryFormMixin(CountryMixin, SuccessMessageMixin):
    form_class = CountryForm
    template_name = "countries/form.html"
    success_message = _("Country saved.")


class CountryCreate(PermissionRequiredMixin, CountryFormMixin, CreateView):
    permission_required = "countries.add_country"
    extra_context = {
        "title": _("Add a country"),
        "cancel_url": reverse_lazy("countries:country_list"),
    }


class CountryUpdate(
    PermissionRequiredMixin, RevisionCheckedFormViewMixin, CountryFormMixin, UpdateView
):
    permission_required = "countries.change_country"
    permission_object = True


# --- actors ------------------------------------------------------------------


class ActorList(PermissionRequiredMixin, FilterView):
    permission_required = "countries.view_actor"
    filterset_class = ActorFilter
    paginate_by = 50
    template_name = "countries/actor_list.html"

    def get_queryset(self):
        # Ordered explicitly: a GROUP BY query ignores Meta.ordering.
        return (
            Actor.objects.select_related("country")
            .annotate(num_people=Count("people"))
            .order_by("name", "pk")
        )


class ActorDetail(PermissionRequiredMixin, DetailView):
    permission_required = "countries.view_actor"
    permission_object = True
    queryset = Actor.objects.select_related("country")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            people=self.object.people.all(),
            memberships=self.object.memberships.select_related("user"),
            **kwargs,
        )


class ActorFormMixin(SuccessMessageMixin):
    model = Actor
    form_class = ActorForm
    template_name = "countries/form.html"
    success_message = _("Actor “%(name)s” saved.")


class ActorCreate(PermissionRequiredMixin, ActorFormMixin, CreateView):
    permission_required = "countries.add_actor"
    extra_context = {
        "title": _("Add an actor"),
        "cancel_url": reverse_lazy("countries:actor_list"),
    }


class ActorUpdate(
    PermissionRequiredMixin, RevisionCheckedFormViewMixin, ActorFormMixin, UpdateView
):
    permission_required = "countries.change_actor"
    permission_object = True


# --- people ------------------------------------------------------------------


class PersonList(PermissionRequiredMixin, FilterView):
    permission_required = "countries.view_person"
    filterset_class = PersonFilter
    paginate_by = 50
    template_name = "countries/person_list.html"

    def get_queryset(self):
        return Person.objects.select_related("actor__country")


class PersonDetail(PermissionRequiredMixin, DetailView):
    permission_required = "countries.view_person"
    permission_object = True
    queryset = Person.objects.select_related("actor__country")


class PersonFormMixin(SuccessMessageMixin):
    model = Person
    form_class = PersonForm
    template_name = "countries/form.html"
    success_message = _("Person “%(name)s” saved.")


class PersonCreate(PermissionRequiredMixin, PersonFormMixin, CreateView):
    permission_required = "countries.add_person"
    extra_context = {
        "title": _("Add a person"),
        "cancel_url": reverse_lazy("countries:person_list"),
    }


class PersonUpdate(
    PermissionRequiredMixin, RevisionCheckedFormViewMixin, PersonFormMixin, UpdateView
):
    permission_required = "countries.change_person"
    permission_object = True
