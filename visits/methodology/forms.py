from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import RevisionCheckedForm

from . import workflow
from .models import (
    ConsultationComment,
    Criterion,
    Endorsement,
    MethodologyVersion,
    RevisionProposal,
)


class VersionSummaryForm(RevisionCheckedForm):
    class Meta:
        model = MethodologyVersion
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}


class CriterionForm(RevisionCheckedForm):
    class Meta:
        model = Criterion
        fields = ["code", "phase", "title", "text", "rationale", "origin"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "origin": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        workflow.check_criterion_code(
            self.version, code, exclude=self.instance if self.instance.pk else None
        )
        return code

    def save(self, commit=True):
        with transaction.atomic():
            # Criteria change only while their version is a draft (raises MethodologyError).
            workflow.require_draft(
                MethodologyVersion.objects.select_for_update().get(pk=self.version.pk)
            )
            criterion = self.instance
            if not criterion.pk:
                criterion.version = self.version
            if not criterion.pk or "phase" in self.changed_data:
                criterion.order = workflow.next_order(self.version, self.cleaned_data["phase"])
            return super().save(commit)


class OpenConsultationForm(forms.Form):
    deadline = forms.DateField(
        label=_("Deadline for answers"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Focal points are reminded by e-mail three days before."),
    )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.localdate():
            raise ValidationError(_("The deadline must be a day in the future."))
        return deadline


class ReturnToDraftForm(forms.Form):
    note = forms.CharField(
        label=_("Why does the version go back to draft?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdoptForm(forms.Form):
    """The second step of an adoption, which cannot be undone: a box to tick."""

    confirm = forms.BooleanField(
        label=_(
            "I understand that this version becomes the methodology every new plan follows, "
            "that the version adopted before it is superseded, and that this cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm the adoption.")},
    )


class AnswerForm(forms.Form):
    """A focal point's answer for their country, with optional comments per criterion."""

    country = forms.ModelChoiceField(label=_("Country"), queryset=None, empty_label=None)
    answer = forms.ChoiceField(
        label=_("Answer"), choices=Endorsement.Answer.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you object: say what must change for your country to agree."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, countries, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries
        if len(countries) == 1:
            self.fields["country"].widget = forms.HiddenInput()
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.criterion_field(criterion)] = forms.CharField(
                label=_("Comment on %(code)s") % {"code": criterion.code},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def criterion_field(criterion):
        return f"criterion_{criterion.pk}"

    def criterion_fields(self):
        return [(c, self[self.criterion_field(c)]) for c in self.criteria]

    def criterion_comments(self):
        return {c.pk: self.cleaned_data.get(self.criterion_field(c), "") for c in self.criteria}

    def clean(self):
        cleaned = super().clean()
        if "answer" in cleaned:
            try:
                workflow.check_answer(
                    cleaned["answer"], cleaned.get("comment", ""), self.criterion_comments()
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class CommentForm(forms.ModelForm):
    class Meta:
        model = ConsultationComment
        fields = ["criterion", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        labels = {"criterion": _("On criterion (optional)")}

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = version.criteria.all()
        self.fields["criterion"].empty_label = _("The version as a whole")


class ProposalForm(forms.ModelForm):
    """A revision of the criteria drawn from a lesson or a finding."""

    class Meta:
        model = RevisionProposal
        fields = ["revises", "code", "phase", "title", "text", "rationale"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adopted = workflow.adopted_version()
        self.fields["revises"].queryset = (
            adopted.criteria.all() if adopted else Criterion.objects.none()
        )
        self.fields["revises"].empty_label = _("A new criterion")
        # A change keeps the code of the criterion it changes: only a new one needs a code.
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Needed for a new criterion, e.g. PREP-04.")

    def clean(self):
        cleaned = super().clean()
        revises = cleaned.get("revises")
        if revises and not cleaned.get("code"):
            cleaned["code"] = revises.code
        if not revises and not cleaned.get("code") and "code" not in self.errors:
            self.add_error("code", self.fields["code"].error_messages["required"])
        if cleaned.get("code"):
            cleaned["code"] = cleaned["code"].strip().upper()
        return cleaned
