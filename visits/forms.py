"""Forms of the visit pages: the plan, delegations, agenda, findings, evaluations, budget,
compliance and attachments."""

import os

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.forms.models import ModelChoiceIterator
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.concurrency import RevisionCheckedForm
from core.forms import FOREIGN_ROW_MESSAGE, OwnRowsInlineFormSet
from core.widgets import QuickSelect, QuickSelectMultiple, SharedChoices
from countries.models import Actor, Country, Person

from . import workflow
from .attachments import accept_attribute, accepted_types_text, check_upload, max_megabytes
from .models import (
    AgendaItem,
    Attachment,
    BudgetLine,
    ComplianceCheck,
    Delegation,
    Evaluation,
    Finding,
    Participant,
    Visit,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def actor_choices():
    return Actor.objects.select_related("country").order_by("name", "country__code")


def labelled_actors(actors):
    """[(actor id, country id, "name — country")] of a queryset of actors: with their country,
    as several countries have a "Ministerio de Desarrollo Social". Read as plain values: a
    picker lists hundreds of actors, and each country's translated name is looked up once."""
    rows = list(actors.values_list("pk", "name", "acronym", "country_id"))
    countries = Country.objects.in_bulk({country for *_rest, country in rows if country})
    names = {pk: country.name for pk, country in countries.items()}
    return [
        (pk, country, f"{Actor.named(name, acronym)} — {names[country]}" if country
         else Actor.named(name, acronym))
        for pk, name, acronym, country in rows
    ]  # fmt: skip


class ActorChoiceIterator(ModelChoiceIterator):
    """The choices of an actor picker, named by labelled_actors."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, _country, label in labelled_actors(self.queryset):
            yield (pk, label)


class ActorChoiceField(forms.ModelChoiceField):
    widget = QuickSelect
    iterator = ActorChoiceIterator


class ActorsChoiceField(forms.ModelMultipleChoiceField):
    widget = QuickSelectMultiple
    iterator = ActorChoiceIterator


def shared_choices(formset, name, choices):
    """Give every form of the formset the same choices for field `name`, read once: without
    it each row would query its own copy. They go to the widget, which shows them; the field
    still validates against its queryset."""
    choices = SharedChoices(choices)
    for form in formset.forms:
        form.fields[name].widget.choices = choices


class VisitForm(RevisionCheckedForm):
    class Meta:
        model = Visit
        fields = [
            "host_country",
            "title",
            "objectives",
            "thematic_focus",
            "city",
            "start_date",
            "end_date",
            "host_actors",
        ]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "host_actors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, host_countries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The host of an existing visit does not change: its number depends on it.
            del self.fields["host_country"]
            self.fields["host_actors"].queryset = actor_choices().filter(
                country=self.instance.host_country
            )
        else:
            self.fields["host_country"].queryset = host_countries
            if len(host_countries) == 1:
                self.fields["host_country"].initial = host_countries[0].pk
                self.fields["host_country"].empty_label = None
            self.fields["host_actors"].queryset = actor_choices().filter(country__in=host_countries)

    def clean(self):
        cleaned = super().clean()
        host = cleaned.get("host_country") or getattr(self.instance, "host_country", None)
        wrong = [a for a in cleaned.get("host_actors", []) if host and a.country_id != host.pk]
        if wrong:
            self.add_error("host_actors", _("Host actors must belong to the host country."))
        if self.instance.pk:
            self._check_dates_against_the_plan(cleaned)
        return cleaned

    def _check_dates_against_the_plan(self, cleaned):
        """A visit that took place keeps its dates and city; new dates keep the agenda in."""
        moved = [name for name in workflow.REAPPROVED_FIELDS if name in self.changed_data]
        if moved and self.instance.took_place:
            for name in moved:
                self.add_error(
                    name, _("The visit took place: its dates and city no longer change.")
                )
            return
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if not (start and end) or not {"start_date", "end_date"} & set(self.changed_data):
            return
        outside = sorted(
            set(
                self.instance.agenda_items.exclude(day__range=(start, end)).values_list(
                    "day", flat=True
                )
            )
        )
        if outside:
            days = ", ".join(date_format(day, "DATE_FORMAT") for day in outside)
            self.add_error(
                "start_date",
                _(
                    "The agenda has items on %(days)s, outside these dates: move them on the "
                    "agenda page first, or choose dates that include them."
                )
                % {"days": days},
            )


class DelegationForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = ["country", "actors"]
        field_classes = {"actors": ActorsChoiceField}
        widgets = {"actors": QuickSelectMultiple(attrs={"size": 4})}


class BaseDelegationFormSet(OwnRowsInlineFormSet):
    """The visiting delegations; the host team is kept out of it. A delegation's actors are
    chosen among its country's; a new delegation's, among those of every visiting country."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "queryset",
            Delegation.objects.filter(is_host=False)
            .select_related("country")
            .prefetch_related("actors"),
        )
        super().__init__(*args, **kwargs)
        host = self.instance.host_country_id
        countries = Country.objects.exclude(pk=host)
        labelled = labelled_actors(actor_choices().exclude(country_id=host))
        actors = SharedChoices((pk, label) for pk, _country, label in labelled)
        by_country = {}
        for pk, country, label in labelled:
            by_country.setdefault(country, SharedChoices()).append((pk, label))
        country_choices = SharedChoices(forms.ModelChoiceField(queryset=countries).choices)
        for form in self.forms:
            form.fields["country"].queryset = countries
            form.fields["country"].widget.choices = country_choices
            field = form.fields["actors"]
            field.queryset = Actor.objects.exclude(country_id=host)
            field.required = False
            own = by_country.get(form.instance.country_id) if form.instance.pk else None
            field.widget.choices = own if own is not None else actors

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            country = form.cleaned_data.get("country")
            if country is None:
                continue  # the form already says the country is missing
            wrong = [a for a in form.cleaned_data.get("actors", []) if a.country_id != country.pk]
            if wrong:
                form.add_error("actors", _("The actors must belong to the delegation's country."))


DelegationFormSet = inlineformset_factory(
    Visit, Delegation, form=DelegationForm, formset=BaseDelegationFormSet, extra=2
)


class BaseParticipantFormSet(OwnRowsInlineFormSet):
    """The participants of one delegation: people of its country, each in one delegation."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Participant.objects.select_related("person"))
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(actor__country=self.instance.country_id).select_related(
            "actor"
        )
        for form in self.forms:
            form.fields["person"].queryset = people
        shared_choices(self, "person", list(forms.ModelChoiceField(queryset=people).choices))

    def clean(self):
        super().clean()
        delegation = self.instance
        chosen = {}
        for form in self.forms:
            person = form.cleaned_data.get("person") if form.cleaned_data else None
            if person is None or form.cleaned_data.get("DELETE"):
                continue
            if person.pk in chosen:
                form.add_error("person", _("This person is listed twice."))
            chosen[person.pk] = form
        elsewhere = (
            Participant.objects.filter(visit_id=delegation.visit_id, person_id__in=chosen)
            .exclude(delegation=delegation)
            .select_related("delegation__country", "person")
        )
        for participant in elsewhere:
            chosen[participant.person_id].add_error(
                "person",
                _("%(person)s already takes part in the delegation of %(country)s.")
                % {"person": participant.person, "country": participant.delegation.country},
            )


ParticipantFormSet = inlineformset_factory(
    Delegation,
    Participant,
    formset=BaseParticipantFormSet,
    fields=["person", "role", "attended"],
    widgets={"person": QuickSelect},
    extra=3,
)


class FindingForm(RevisionCheckedForm):
    class Meta:
        model = Finding
        fields = ["delegation", "kind", "title", "text", "addressee", "criterion"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, visit, delegations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegation"].queryset = delegations
        self.fields["delegation"].empty_label = None
        self.fields["addressee"] = ActorChoiceField(
            queryset=actor_choices(),
            required=False,
            label=self.fields["addressee"].label,
            help_text=self.fields["addressee"].help_text,
        )
        criteria = visit.methodology_version.criteria.all() if visit.methodology_version else []
        if criteria:
            self.fields["criterion"].queryset = criteria
        else:
            del self.fields["criterion"]


class FollowUpForm(RevisionCheckedForm):
    class Meta:
        model = Finding
        fields = ["follow_up_status", "host_response"]
        widgets = {"host_response": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follow_up_status"].required = True
        self.fields["follow_up_status"].choices = Finding.FollowUp.choices


RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


class EvaluationForm(RevisionCheckedForm):
    class Meta:
        model = Evaluation
        fields = [*Evaluation.DIMENSIONS, "comments"]
        widgets = {
            **{d: forms.RadioSelect(choices=RATING_CHOICES) for d in Evaluation.DIMENSIONS},
            "comments": forms.Textarea(attrs={"rows": 3}),
        }


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "planned", "actual", "currency"]

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise ValidationError(_("Use the three-letter ISO code, e.g. USD, EUR or PYG."))
        return currency


BudgetFormSet = inlineformset_factory(
    Visit, BudgetLine, form=BudgetLineForm, formset=OwnRowsInlineFormSet, extra=3
)


class ComplianceForm(forms.Form):
    """One criterion of the checklist; the criterion itself is shown, not edited."""

    criterion_id = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Compliance"), choices=ComplianceCheck.Status.choices, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.TextInput)


class BaseComplianceFormSet(forms.BaseFormSet):
    """The visit's checklist: one form per criterion of its methodology version. A criterion
    sent that is not one of them (a tampered or outdated page), or sent twice, is refused
    with a message: skipping it would answer "saved" for what was not."""

    def __init__(self, *args, visit, **kwargs):
        self.visit = visit
        self.criteria = {c.pk: c for c in visit.methodology_version.criteria.all()}
        checks = {c.criterion_id: c for c in visit.compliance_checks.all()}
        kwargs["initial"] = [
            {
                "criterion_id": pk,
                "status": checks[pk].status if pk in checks else "",
                "note": checks[pk].note if pk in checks else "",
            }
            for pk in self.criteria
        ]
        super().__init__(*args, **kwargs)

    def clean(self):
        # A form beyond the criteria shown (a tampered management form) arrives empty.
        sent = [
            pk for form in self.forms if (pk := form.cleaned_data.get("criterion_id")) is not None
        ]
        if any(pk not in self.criteria for pk in sent) or len(sent) != len(set(sent)):
            raise ValidationError(FOREIGN_ROW_MESSAGE, code="foreign_row")

    def save(self):
        for data in self.cleaned_data:
            if not data:
                continue
            criterion = self.criteria[data["criterion_id"]]
            if data["status"]:
                ComplianceCheck.objects.update_or_create(
                    visit=self.visit,
                    criterion=criterion,
                    defaults={"status": data["status"], "note": data["note"]},
                )
            else:
                ComplianceCheck.objects.filter(visit=self.visit, criterion=criterion).delete()


ComplianceFormSet = forms.formset_factory(ComplianceForm, formset=BaseComplianceFormSet, extra=0)


class TransitionNoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


# --- the agenda ----------------------------------------------------------------------------


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = [
            "day",
            "start_time",
            "end_time",
            "title",
            "kind",
            "place",
            "responsible_actor",
            "notes",
        ]
        field_classes = {"responsible_actor": ActorChoiceField}
        widgets = {
            # ISO values, as the browser's date and time pickers send and expect them.
            "day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, visit, responsible_actors, **kwargs):
        super().__init__(*args, **kwargs)
        # Before full_clean: AgendaItem.clean checks the day against the visit's dates.
        self.instance.visit = visit
        self.fields["responsible_actor"].queryset = responsible_actors
        if visit.start_date and visit.end_date:
            self.fields["day"].widget.attrs.update(
                min=visit.start_date.isoformat(), max=visit.end_date.isoformat()
            )


class BaseAgendaFormSet(OwnRowsInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.responsible_actors = actor_choices()
        shared_choices(
            self,
            "responsible_actor",
            ActorChoiceField(queryset=self.responsible_actors, required=False).choices,
        )

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs.update(visit=self.instance, responsible_actors=self.responsible_actors)
        return kwargs


AgendaFormSet = inlineformset_factory(
    Visit,
    AgendaItem,
    form=AgendaItemForm,
    formset=BaseAgendaFormSet,
    extra=3,
    can_delete=True,
)


# --- attachments -------------------------------------------------------------------------


class AttachmentForm(forms.ModelForm):
    """Attach a file to a visit; the view sets the visit and the uploader."""

    # Prefixed so that its fields do not clash with other forms of the visit page.
    prefix = "attachment"

    class Meta:
        model = Attachment
        fields = ["kind", "title", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the name of the file.")
        file_field = self.fields["file"]
        file_field.widget.attrs["accept"] = accept_attribute()
        file_field.help_text = gettext("At most %(limit)s MB. Accepted types: %(types)s.") % {
            "limit": max_megabytes(),
            "types": accepted_types_text(),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        file_type = check_upload(upload)
        self.instance.content_type = file_type.content_type
        self.instance.size = upload.size
        return upload

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        if upload and not cleaned_data.get("title"):
            title = os.path.splitext(os.path.basename(upload.name))[0].replace("_", " ").strip()
            cleaned_data["title"] = title[: Attachment._meta.get_field("title").max_length]
        return cleaned_data
