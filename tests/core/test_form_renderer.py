"""The form renderer (core/renderers.py) writes every widget through Jinja2 exactly as the
Django template language writes it, selected values, groups, files and errors included."""

import re
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import TemplatesSetting

from core.renderers import FormRenderer

CHOICES = [("a", "A & B"), ("Group <1>", [("b", "<b>"), ("c", "C")]), ("", "None")]


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=5, help_text="At most five.")
    number = forms.DecimalField()
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "min": "2024-01-01"}))
    moment = forms.TimeField(widget=forms.TimeInput(format="%H:%M"))
    when = forms.SplitDateTimeField()
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    checked = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=CHOICES)
    choices = forms.MultipleChoiceField(choices=CHOICES)
    boxes = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple)
    radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    hidden = forms.CharField(widget=forms.HiddenInput)
    many_hidden = forms.MultipleChoiceField(choices=CHOICES, widget=forms.MultipleHiddenInput)
    document = forms.FileField(widget=forms.ClearableFileInput)
    birthday = forms.DateField(widget=forms.SelectDateWidget(years=[2024, 2025]))


INITIAL = {
    "text": 'a "quoted" <value>',
    "number": Decimal("1234.50"),
    "day": date(2024, 5, 6),
    "moment": time(9, 30),
    "when": datetime(2024, 5, 6, 9, 30),
    "notes": "two\nlines & <b>",
    "checked": True,
    "choice": "b",
    "choices": ["a", "c"],
    "boxes": ["b"],
    "radio": "a",
    "hidden": "x",
    "many_hidden": ["a", "b"],
    "birthday": date(2025, 2, 3),
}
BAD = {"text": "too long", "number": "many", "choice": "z", "day": "someday"}


# The same characters, as Jinja2 (markupsafe) and Django escape them.
ENTITIES = {"&#34;": "&quot;", "&#39;": "&#x27;"}


def normalised(html):
    html = re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()
    for theirs, ours in ENTITIES.items():
        html = html.replace(theirs, ours)
    return html


@pytest.mark.parametrize(
    "make",
    [
        lambda renderer: EveryWidget(renderer=renderer),
        lambda renderer: EveryWidget(initial=INITIAL, renderer=renderer),
        lambda renderer: EveryWidget(
            BAD, {"document": SimpleUploadedFile("a.pdf", b"%PDF")}, renderer=renderer
        ),
    ],
    ids=["empty", "with values", "with errors"],
)
@pytest.mark.parametrize("name", list(EveryWidget.base_fields))
def test_every_widget_is_written_as_the_template_language_writes_it(make, name):
    ours, django = make(FormRenderer()), make(TemplatesSetting())
    ours.is_bound and ours.is_valid()
    django.is_bound and django.is_valid()
    assert normalised(ours[name]) == normalised(django[name])
    assert normalised(ours[name].as_field_group()) == normalised(django[name].as_field_group())


def test_the_widgets_come_from_jinja2_and_the_rest_from_the_templates():
    renderer = FormRenderer()
    assert type(renderer.get_template("django/forms/widgets/input.html")).__module__ == (
        "django.template.backends.jinja2"
    )
    assert type(renderer.get_template("django/forms/field.html")).__module__ == (
        "django.template.backends.django"
    )
