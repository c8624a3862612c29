from django import forms
from django.utils.translation import gettext_lazy as _

from core.concurrency import RevisionCheckedForm
from countries.models import Actor, Country

from .models import Lesson


class LinesField(forms.CharField):
    """A list of strings, typed one per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip().lstrip("-•* ").strip() for line in text.splitlines() if line.strip()]


class LessonForm(RevisionCheckedForm):
    impacts = LinesField(label=_("Impacts"), required=False, help_text=_("One per line."))
    keywords = LinesField(label=_("Keywords"), required=False, help_text=_("One per line."))

    class Meta:
        model = Lesson
        fields = [
            "knowledge_type",
            "title",
            "author",
            "language",
            "countries",
            "phase",
            "actors",
            "sdgs",
            "description",
            "experience",
            "impacts_lead",
            "impacts",
            "added_values",
            "keywords",
            "related_visits",
        ]
        widgets = {
            "countries": forms.CheckboxSelectMultiple,
            "sdgs": forms.CheckboxSelectMultiple,
            "added_values": forms.CheckboxSelectMultiple,
            "actors": forms.SelectMultiple(attrs={"size": 8}),
            "related_visits": forms.SelectMultiple(attrs={"size": 6}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "experience": forms.Textarea(attrs={"rows": 4}),
            "impacts_lead": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, visits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].queryset = Country.objects.all()
        self.fields["actors"].queryset = Actor.objects.select_related("country")
        self.fields["related_visits"].queryset = visits.select_related("host_country")


class ImportForm(forms.Form):
    # An empty file is refused by the import, with the file's name, like any other bad file.
    file = forms.FileField(
        allow_empty_file=True,
        label=_("Knowledge Bank entry (.txt)"),
        help_text=_("The plain-text layout of the Knowledge Bank."),
    )


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("What should change?"), widget=forms.Textarea(attrs={"rows": 3}))
