from django import forms
from django.utils.text import capfirst

from core.concurrency import RevisionCheckedForm

from .models import Actor, Country, Person


class CountryForm(RevisionCheckedForm):
    class Meta:
        model = Country
        fields = ["code", "programme_role"]


class ActorForm(RevisionCheckedForm):
    website = forms.URLField(
        label=capfirst(Actor._meta.get_field("website").verbose_name),
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Actor
        fields = [
            "name",
            "acronym",
            "kind",
            "country",
            "website",
            "is_partner",
            "needs_review",
            "review_note",
        ]
        widgets = {"review_note": forms.Textarea(attrs={"rows": 3})}


class PersonForm(RevisionCheckedForm):
    languages = forms.MultipleChoiceField(
        label=capfirst(Person._meta.get_field("languages").verbose_name),
        choices=Person.LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Person
        fields = ["name", "position", "email", "actor", "exchange_role", "languages", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = Actor.objects.select_related("country")
