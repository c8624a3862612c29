import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Actor, Country, Person


def search_names(queryset, name, value):
    return queryset.filter(Q(name__icontains=value) | Q(acronym__icontains=value))


class ActorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or acronym"), method=search_names)
    country = django_filters.ModelChoiceFilter(label=_("Country"), queryset=Country.objects.all())
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Actor.Kind.choices)
    needs_review = django_filters.BooleanFilter(label=_("Needs review"))

    class Meta:
        model = Actor
        fields = ["q", "country", "kind", "needs_review"]


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains")
    country = django_filters.ModelChoiceFilter(
        label=_("Country"), field_name="actor__country", queryset=Country.objects.all()
    )
    exchange_role = django_filters.ChoiceFilter(
        label=_("Role in exchanges"), choices=Person.ExchangeRole.choices
    )

    class Meta:
        model = Person
        fields = ["q", "country", "exchange_role"]
