"""
Form errors are announced and tied to their fields.

Each main form is sent with bad input through the test client. On the page that
comes back every field in error is marked ``aria-invalid="true"`` and names, in
``aria-describedby``, the element that holds its error text (radio buttons and
check boxes: their ``<fieldset>`` does); and the page has an error summary with
``role="alert"`` so that screen readers announce the failure.
"""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from countries.models import Country, Person
from visits.methodology import workflow as services
from visits.methodology.models import MethodologyVersion
from visits.models import Delegation, Participant, Visit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Page(HTMLParser):
    """The page's elements (tag, attrs, text inside, ancestors) and its forms' values."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.open = []  # indexes of the open elements
        self.forms = []  # per <form>: [(name, value)]
        self._select = self._textarea = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        element = {"tag": tag, "attrs": attrs, "text": [], "ancestors": list(self.open)}
        self.elements.append(element)
        if tag == "form":
            self.forms.append([])
        form = self.forms[-1] if self.forms else None
        if form is not None and attrs.get("name") and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if tag == "input" and kind not in ("submit", "button", "file", "reset"):
                if kind not in ("checkbox", "radio") or "checked" in attrs:
                    form.append((attrs["name"], attrs.get("value", "on")))
            elif tag == "select":
                self._select = [attrs["name"], "multiple" in attrs, None, False]
            elif tag == "textarea":
                self._textarea = [attrs["name"], []]
        if tag == "option" and self._select is not None:
            name, multiple, first, chosen = self._select
            value = attrs.get("value", "")
            if "selected" in attrs:
                form.append((name, value))
                self._select[3] = True
            elif first is None and not multiple:
                self._select[2] = value
        if tag not in VOID:
            self.open.append(len(self.elements) - 1)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, _multiple, first, chosen = self._select
            if not chosen and first is not None:
                self.forms[-1].append((name, first))
            self._select = None
        if tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea[0], "".join(self._textarea[1]).lstrip("\n")))
            self._textarea = None
        while self.open:
            index = self.open.pop()
            if self.elements[index]["tag"] == tag:
                break

    def handle_data(self, data):
        for index in self.open:
            self.elements[index]["text"].append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)

    def by_id(self, element_id):
        found = [e for e in self.elements if e["attrs"].get("id") == element_id]
        assert len(found) <= 1, f"id {element_id!r} is used {len(found)} times"
        return found[0] if found else None

    def text(self, element):
        return " ".join("".join(element["text"]).split())

    def fields(self, name):
        return [
            e
            for e in self.elements
            if e["tag"] in ("input", "select", "textarea") and e["attrs"].get("name") == name
        ]


def form_values(response, index=-1, form_with=None):
    """What the browser would send from a form of the page, as it is shown."""
    page = Page(response.content.decode())
    if form_with is not None:
        (values,) = [f for f in page.forms if any(name == form_with for name, _v in f)]
    else:
        values = page.forms[index]
    data = {}
    for name, value in values:
        data.setdefault(name, []).append(value)
    return {name: value[0] if len(value) == 1 else value for name, value in data.items()}


def assert_errors_tied(response, *names):
    """The named fields (and any other field marked invalid) are described by their error;
    the page has an alert. Returns the names of the fields in error."""
    assert response.status_code in (200, 400), response.status_code
    page = Page(response.content.decode())
    alerts = [e for e in page.elements if e["attrs"].get("role") == "alert"]
    assert alerts, "no element with role=alert announces the errors"
    invalid = {
        e["attrs"].get("name") for e in page.elements if e["attrs"].get("aria-invalid") == "true"
    }
    assert set(names) <= invalid, f"not marked aria-invalid: {set(names) - invalid}"
    for name in invalid:
        assert_described(page, name)
    return invalid


def assert_described(page, name):
    inputs = page.fields(name)
    assert inputs, f"no field named {name!r}"
    error = page.by_id(f"id_{name}_error")
    assert error is not None and page.text(error), f"{name}: no element id_{name}_error"
    for element in inputs:
        attrs = element["attrs"]
        assert attrs.get("aria-invalid") == "true", (name, attrs)
        ids = attrs.get("aria-describedby")
        if ids is None:
            # Radio buttons and check boxes: their fieldset names the error.
            fieldsets = [i for i in element["ancestors"] if page.elements[i]["tag"] == "fieldset"]
            assert fieldsets, f"{name}: neither the field nor a fieldset has aria-describedby"
            ids = page.elements[fieldsets[-1]]["attrs"].get("aria-describedby", "")
        assert error["attrs"]["id"] in ids.split(), f"{name}: aria-describedby={ids!r}"


@pytest.fixture
def visit(demo):
    """Paraguay hosts Uruguay; the visit took place (findings, evaluations, budget)."""
    paraguay = Country.objects.get(code="PY")
    visit = Visit.objects.create(
        host_country=paraguay,
        title="Care services in the territory",
        objectives="See how care services reach families.",
        city="Asunción",
        start_date=date(2024, 5, 6),
        end_date=date(2024, 5, 8),
        status=Visit.Status.CONDUCTED,
        methodology_version=MethodologyVersion.objects.get(number=1),
        plan_submitted_at=timezone.now(),
    )
    Delegation.objects.create(visit=visit, country=paraguay, is_host=True)
    uruguay = Delegation.objects.create(visit=visit, country=Country.objects.get(code="UY"))
    Participant.objects.create(
        delegation=uruguay, person=Person.objects.get(name="Lucía Pereira"), role="political"
    )
    return visit


def post_changed(client, url, changes, **which):
    data = form_values(client.get(url), **which)
    data.update(changes)
    return client.post(url, data)


def test_visit_create(client, staff_py):
    client.force_login(staff_py)
    response = post_changed(
        client, reverse("visits:visit_create"), {"title": "", "start_date": "someday"}
    )
    assert_errors_tied(response, "title", "start_date")


def test_visit_edit(client, coordinator, visit):
    client.force_login(coordinator)
    response = post_changed(client, reverse("visits:visit_update", args=[visit.pk]), {"title": ""})
    assert_errors_tied(response, "title")


def test_finding(client, staff_uy, visit):
    client.force_login(staff_uy)
    response = post_changed(
        client, reverse("visits:finding_create", args=[visit.pk]), {"title": "", "text": ""}
    )
    assert_errors_tied(response, "title", "text")


def test_evaluation(client, staff_uy, visit):
    client.force_login(staff_uy)
    participant = Participant.objects.get(delegation__visit=visit)
    url = reverse("visits:evaluation", args=[visit.pk, participant.pk])
    data = form_values(client.get(url))
    data.pop("relevance", None)
    response = client.post(url, data)
    assert_errors_tied(response, "relevance")


def test_budget_formset(client, staff_py, visit):
    client.force_login(staff_py)
    response = post_changed(
        client,
        reverse("visits:budget", args=[visit.pk]),
        {
            "budget_lines-0-category": "travel",
            "budget_lines-0-planned": "-5",
            "budget_lines-0-currency": "USD",
        },
    )
    assert_errors_tied(response, "budget_lines-0-planned")


def test_lesson_form(client, coordinator):
    client.force_login(coordinator)
    response = post_changed(client, reverse("lessons:lesson_create"), {"title": ""})
    assert_errors_tied(response, "title")


def test_methodology_criterion_form(client, coordinator, demo):
    MethodologyVersion.objects.filter(number=2).delete()
    services.draft_new_version(coordinator)
    client.force_login(coordinator)
    response = post_changed(
        client, reverse("methodology:criterion_create", args=[2]), {"code": "", "text": ""}
    )
    assert_errors_tied(response, "code", "text")


def test_consultation_answer(client, staff_br):
    client.force_login(staff_br)
    url = reverse("methodology:answer", args=[2])
    data = form_values(client.get(url), form_with="revision")
    data.pop("answer", None)
    response = client.post(url, data)
    assert_errors_tied(response, "answer")


def test_consultation_objection_without_a_reason(client, staff_br):
    client.force_login(staff_br)
    url = reverse("methodology:answer", args=[2])
    data = form_values(client.get(url), form_with="revision")
    data.update(answer="object", comment="")
    response = client.post(url, data)
    assert_errors_tied(response, "comment")
    assert "An objection needs a reason" in response.content.decode()


def test_login(client, demo):
    response = client.post(
        reverse("login"), {"username": "staff-py", "password": "not the password"}
    )
    assert_errors_tied(response)
    page = Page(response.content.decode())
    (alert,) = [e for e in page.elements if e["attrs"].get("role") == "alert"]
    assert "correct username and password" in page.text(alert)


def test_login_with_an_empty_field(client, demo):
    response = client.post(reverse("login"), {"username": "staff-py", "password": ""})
    assert_errors_tied(response, "password")


def test_report_request(client, projectteam):
    client.force_login(projectteam)
    # The request is a button with hidden fields: the summary names the field in error.
    response = client.post(reverse("reports:job_list"), {"kind": "no-such-report"})
    assert response.status_code == 400
    page = Page(response.content.decode())
    (alert,) = [e for e in page.elements if e["attrs"].get("role") == "alert"]
    assert "Report: Select a valid choice." in page.text(alert)
