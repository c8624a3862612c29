"""``{% field %}`` (core/templatetags/core.py) writes a form field exactly as crispy-forms'
Bootstrap 5 pack does, for every kind of widget, with and without errors; the formset pages
that use it write each of their fields so."""

import re
from datetime import date

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.template import Context, Template
from django.urls import reverse

from countries.models import Country
from visits.models import Delegation, Visit

CHOICES = [("a", "A & B"), ("b", "<b>")]


class EveryKind(forms.Form):
    title = forms.CharField(max_length=5, help_text="At most <em>five</em> letters.")
    kind = forms.ChoiceField(choices=CHOICES, required=False)
    kinds = forms.MultipleChoiceField(choices=CHOICES)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "class": "day"}))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="")
    amount = forms.DecimalField(min_value=0)
    attended = forms.BooleanField()
    DELETE = forms.BooleanField(required=False, label="Delete")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    # Left to crispy-forms by the tag.
    boxes = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple)
    answer = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    document = forms.FileField(required=False)


BAD = {"title": "too long", "kinds": ["z"], "day": "someday", "amount": "-1", "boxes": ["z"]}


def normalised(html):
    return re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def tag(bound):
    return Template("{% load core %}{% field bound %}").render(Context({"bound": bound}))


@pytest.mark.parametrize("data", [None, BAD], ids=["unbound", "with errors"])
@pytest.mark.parametrize("name", list(EveryKind.base_fields))
def test_the_tag_writes_what_crispy_writes(name, data):
    # Two forms: crispy-forms adds its classes to the widget it renders.
    ours, theirs = EveryKind(data, prefix="form-0"), EveryKind(data, prefix="form-0")
    if data:
        assert not ours.is_valid() and not theirs.is_valid()
    assert normalised(tag(ours[name])) == normalised(as_crispy_field(theirs[name]))


def test_errors_are_tied_to_the_field():
    form = EveryKind(BAD)
    form.is_valid()
    html = tag(form["title"])
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_title_helptext id_title_error"' in html
    assert '<div id="id_title_error" class="invalid-feedback">' in html


@pytest.fixture
def visit(demo):
    visit = Visit.objects.create(
        host_country=Country.objects.get(code="PY"),
        title="Care seen from the territory",
        start_date=date(2024, 5, 6),
        end_date=date(2024, 5, 8),
    )
    Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    Delegation.objects.create(visit=visit, country=Country.objects.get(code="UY"))
    return visit


@pytest.mark.parametrize("page", ["visits:agenda_edit", "visits:budget", "visits:delegations"])
def test_the_formset_pages_write_every_field_as_crispy_would(client, staff_py, visit, page):
    client.force_login(staff_py)
    response = client.get(reverse(page, args=[visit.pk]))
    assert response.status_code == 200
    content = normalised(response.content.decode())
    fields = [
        field
        for form in response.context["formset"]
        for field in form.visible_fields()
        if field.name != "DELETE" or form.instance.pk  # the agenda offers it on its items only
    ]
    assert len(fields) > 5
    for field in fields:
        assert normalised(as_crispy_field(field)) in content, field.html_name
