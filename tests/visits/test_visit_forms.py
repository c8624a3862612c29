"""Bad input on the visit forms: each refused with a clear message at the field, nothing
half-saved, and the database refusing it too where a constraint guards it.

The visit: Paraguay hosts Uruguay from Monday 6 to Wednesday 8 May 2024; the plan is approved.
(Agenda items and attachments have their own modules.)
"""

from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.concurrency import StaleEditError, fingerprint
from countries.models import Actor, Country, Person
from tests.support.html import find, input_value, text
from visits.forms import BudgetLineForm, EvaluationForm, VisitForm
from visits.methodology.models import MethodologyVersion
from visits.models import BudgetLine, Delegation, Evaluation, Finding, Participant, Visit

STALE = "Somebody else saved this in the meantime. Your changes were not saved"
MINISTRIES = {
    "CL": "Ministerio de Desarrollo Social",
    "PY": "Ministerio de la Niñez y la Adolescencia",
    "UY": "Ministerio de Desarrollo Social",
}


def country(code):
    return Country.objects.get(code=code)


def ministry(code):
    return Actor.objects.get(country__code=code, name=MINISTRIES[code])


def person(name):
    return Person.objects.get(name=name)


@pytest.fixture
def visit(demo):
    visit = Visit.objects.create(
        host_country=country("PY"),
        title="Care services in the territory",
        objectives="See how care services reach families.",
        city="Asunción",
        start_date=date(2024, 5, 6),
        end_date=date(2024, 5, 8),
        status=Visit.Status.PLANNED,
        methodology_version=MethodologyVersion.objects.get(number=1),
        plan_submitted_at=timezone.now(),
    )
    Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    uruguay = Delegation.objects.create(visit=visit, country=country("UY"))
    Participant.objects.create(delegation=uruguay, person=person("Lucía Pereira"), role="political")
    return visit


def host_team(visit):
    return visit.delegations.get(is_host=True)


def delegation(visit, code):
    return visit.delegations.get(country__code=code)


def participant(visit, name="Lucía Pereira"):
    return Participant.objects.get(visit=visit, person__name=name)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


class _ById(HTMLParser):
    """The text inside the element with a given id."""

    def __init__(self, wanted):
        super().__init__(convert_charrefs=True)
        self.wanted, self.depth, self.parts = wanted, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.wanted:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def error_at(response, field_id):
    """The (first) error message the page shows at the field with that id."""
    parser = _ById(f"error_1_{field_id}")
    parser.feed(response.content.decode())
    return " ".join("".join(parser.parts).split())


def formset_data(prefix, rows, initial=0):
    """What an inline formset sends: the management form and one dict per row."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def plan_data(visit, **changes):
    """What the plan's edit form sends, unchanged unless told."""
    data = {
        "title": visit.title,
        "objectives": visit.objectives,
        "thematic_focus": visit.thematic_focus,
        "city": visit.city,
        "start_date": visit.start_date.isoformat(),
        "end_date": visit.end_date.isoformat(),
        "host_actors": [a.pk for a in visit.host_actors.all()],
        "revision": visit.revision,
    }
    data.update(changes)
    return data


def saved_visit(visit):
    """What a refused edit must leave as it was."""
    return (
        Visit.objects.filter(pk=visit.pk)
        .values_list("title", "objectives", "start_date", "end_date", "revision")
        .get(),
        list(Visit.objects.get(pk=visit.pk).host_actors.values_list("pk", flat=True)),
        visit.history.count(),
    )


# --- dates -------------------------------------------------------------------------------------


def test_end_before_start_in_the_form(visit):
    form = VisitForm(plan_data(visit, end_date="2024-05-05"), instance=visit)
    assert form.errors == {"end_date": ["The visit cannot end before it starts."]}


def test_end_before_start_on_the_edit_page(client, visit, staff_py):
    client.force_login(staff_py)
    before = saved_visit(visit)
    url = reverse("visits:visit_update", args=[visit.pk])
    response = client.post(url, plan_data(visit, title="Renamed", end_date="2024-05-05"))
    assert response.status_code == 200
    assert error_at(response, "id_end_date") == "The visit cannot end before it starts."
    assert input_value(response, "title") == "Renamed"  # what was typed stays
    assert saved_visit(visit) == before


def test_end_before_start_on_the_new_visit_page(client, demo, staff_py):
    client.force_login(staff_py)
    response = client.post(
        reverse("visits:visit_create"),
        {
            "host_country": country("PY").pk,
            "title": "Backwards",
            "start_date": "2024-05-08",
            "end_date": "2024-05-06",
        },
    )
    assert response.status_code == 200
    assert error_at(response, "id_end_date") == "The visit cannot end before it starts."
    assert not Visit.objects.exists()
    assert not Delegation.objects.exists()


def test_the_database_refuses_an_end_before_the_start(visit):
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(end_date=date(2024, 5, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            host_country=country("UY"),
            title="Backwards",
            start_date=date(2024, 5, 8),
            end_date=date(2024, 5, 6),
        )


# --- participants ------------------------------------------------------------------------------


def participants_url(visit, code):
    return reverse("visits:participants", args=[visit.pk, delegation(visit, code).pk])


def test_participant_in_two_delegations(client, visit, staff_py):
    # Lucía Pereira, in Uruguay's delegation, has since moved to a Paraguayan ministry: the
    # host team is offered her, but she cannot join it too.
    Person.objects.filter(name="Lucía Pereira").update(actor=ministry("PY"))
    client.force_login(staff_py)
    response = client.post(
        participants_url(visit, "PY"),
        formset_data(
            "participants",
            [
                {"person": person("Carlos Benítez").pk, "role": "political", "attended": "on"},
                {"person": person("Lucía Pereira").pk, "role": "technical", "attended": "on"},
            ],
        ),
    )
    assert response.status_code == 200
    assert error_at(response, "id_participants-1-person") == (
        "Lucía Pereira already takes part in the delegation of Uruguay."
    )
    assert error_at(response, "id_participants-0-person") == ""
    assert not host_team(visit).participants.exists()  # not even Carlos Benítez
    assert participant(visit).delegation.country.code == "UY"


def test_the_database_refuses_a_participant_in_two_delegations(visit):
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            delegation=host_team(visit), person=person("Lucía Pereira"), role="technical"
        )


def test_same_person_twice_in_one_delegation(client, visit, staff_py):
    client.force_login(staff_py)
    carlos = person("Carlos Benítez").pk
    response = client.post(
        participants_url(visit, "PY"),
        formset_data(
            "participants",
            [
                {"person": carlos, "role": "political", "attended": "on"},
                {"person": carlos, "role": "technical"},
            ],
        ),
    )
    assert response.status_code == 200
    assert error_at(response, "id_participants-1-person") == "This person is listed twice."
    assert "Please correct the errors below. Nothing was saved." in text(response)
    assert not host_team(visit).participants.exists()


def test_a_person_of_another_country_is_not_offered(client, visit, staff_py):
    client.force_login(staff_py)
    page = client.get(participants_url(visit, "PY"))
    offered = page.context["formset"].forms[0].fields["person"].queryset
    assert {p.name for p in offered} == {"Carlos Benítez", "María José Giménez"}

    response = client.post(
        participants_url(visit, "PY"),
        formset_data(
            "participants", [{"person": person("Martín Fernández").pk, "role": "observer"}]
        ),
    )
    assert error_at(response, "id_participants-0-person") == (
        "Select a valid choice. That choice is not one of the available choices."
    )
    assert not host_team(visit).participants.exists()


# --- evaluations -------------------------------------------------------------------------------

RATINGS = {"preparation": 4, "relevance": 5, "exchange_quality": 4, "use_of_time": 3}


def evaluation_url(visit, name="Lucía Pereira"):
    return reverse("visits:evaluation", args=[visit.pk, participant(visit, name).pk])


@pytest.mark.parametrize(
    "rating, message",
    [
        (6, "Ensure this value is less than or equal to 5."),
        (0, "Ensure this value is greater than or equal to 1."),
        (-1, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_rating_outside_1_to_5_in_the_form(rating, message):
    form = EvaluationForm({**RATINGS, "use_of_time": rating})
    assert form.errors == {"use_of_time": [message]}


def test_rating_outside_1_to_5_on_the_page(client, visit, staff_uy):
    client.force_login(staff_uy)
    response = client.post(evaluation_url(visit), {**RATINGS, "relevance": 7, "comments": "!"})
    assert response.status_code == 200
    assert error_at(response, "id_relevance") == "Ensure this value is less than or equal to 5."
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("rating", [0, 6])
def test_the_database_refuses_a_rating_outside_1_to_5(visit, rating):
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(
            participant=participant(visit), **{**RATINGS, "preparation": rating}
        )


def test_a_second_evaluation_edits_the_first(client, visit, staff_uy):
    Evaluation.objects.create(participant=participant(visit), **RATINGS, comments="Useful.")
    client.force_login(staff_uy)
    page = client.get(evaluation_url(visit))
    (checked,) = [i for i in find(page, "input", name="preparation") if "checked" in i]
    assert checked["value"] == "4"
    assert "Useful." in text(page)

    changed = {**RATINGS, "preparation": 2, "comments": "Late.", "revision": 1}
    response = client.post(evaluation_url(visit), changed)
    assert response.status_code == 302
    (evaluation,) = Evaluation.objects.all()
    assert (evaluation.preparation, evaluation.comments) == (2, "Late.")


def test_the_database_refuses_a_second_evaluation(visit):
    Evaluation.objects.create(participant=participant(visit), **RATINGS)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(participant=participant(visit), **RATINGS)


# --- budget ------------------------------------------------------------------------------------

LINE = {"category": "travel", "description": "Flights", "planned": "1800", "currency": "USD"}


@pytest.mark.parametrize("field", ["planned", "actual"])
def test_negative_cost_in_the_form(db, field):
    form = BudgetLineForm({**LINE, field: "-0.01"})
    assert form.errors == {field: ["Ensure this value is greater than or equal to 0."]}


def test_negative_cost_on_the_page_saves_no_line(client, visit, staff_py):
    client.force_login(staff_py)
    response = client.post(
        reverse("visits:budget", args=[visit.pk]),
        formset_data("budget_lines", [LINE, {**LINE, "category": "venue", "actual": "-50"}]),
    )
    assert response.status_code == 200
    assert error_at(response, "id_budget_lines-1-actual") == (
        "Ensure this value is greater than or equal to 0."
    )
    assert not BudgetLine.objects.exists()  # not even the valid first line


@pytest.mark.parametrize("field", ["planned", "actual"])
def test_the_database_refuses_a_negative_cost(visit, field):
    costs = {"planned": Decimal("100"), "actual": Decimal("100"), field: Decimal("-1")}
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.create(visit=visit, category="travel", **costs)


@pytest.mark.parametrize("code", ["US", "U5D", "$$$", "€"])
def test_bad_currency_code(db, code):
    form = BudgetLineForm({**LINE, "currency": code})
    assert form.errors == {"currency": ["Use the three-letter ISO code, e.g. USD, EUR or PYG."]}


def test_too_long_currency_code(db):
    form = BudgetLineForm({**LINE, "currency": "dollars"})
    assert form.errors == {"currency": ["Ensure this value has at most 3 characters (it has 7)."]}


def test_currency_code_is_written_in_capitals(client, visit, staff_py):
    client.force_login(staff_py)
    response = client.post(
        reverse("visits:budget", args=[visit.pk]),
        {
            "state": fingerprint(visit.budget_lines.all()),
            **formset_data("budget_lines", [{**LINE, "currency": " pyg "}]),
        },
    )
    assert response.status_code == 302
    assert BudgetLine.objects.get().currency == "PYG"


# --- actors of the right country ----------------------------------------------------------------


def delegations_data(visit, *rows):
    """The delegation formset: Uruguay's delegation as it is, then the given rows."""
    uruguay = delegation(visit, "UY")
    existing = {"id": uruguay.pk, "country": uruguay.country_id}
    return formset_data("delegations", [existing, *rows], initial=1)


def delegations_now(visit):
    return sorted(
        (d.country.code.code, sorted(d.actors.values_list("pk", flat=True)))
        for d in visit.delegations.all()
    )


def test_actor_of_another_country_in_a_delegation(client, visit, staff_py):
    client.force_login(staff_py)
    before = delegations_now(visit)
    response = client.post(
        reverse("visits:delegations", args=[visit.pk]),
        delegations_data(visit, {"country": country("CL").pk, "actors": [ministry("UY").pk]}),
    )
    assert response.status_code == 200
    assert error_at(response, "id_delegations-1-actors") == (
        "The actors must belong to the delegation's country."
    )
    assert delegations_now(visit) == before


def test_host_actor_in_a_visiting_delegation(client, visit, staff_py):
    client.force_login(staff_py)
    before = delegations_now(visit)
    response = client.post(
        reverse("visits:delegations", args=[visit.pk]),
        delegations_data(visit, {"country": country("CL").pk, "actors": [ministry("PY").pk]}),
    )
    assert response.status_code == 200
    assert error_at(response, "id_delegations-1-actors").startswith("Select a valid choice.")
    assert delegations_now(visit) == before


def test_actors_without_a_country_ask_for_the_country(client, visit, staff_py):
    client.force_login(staff_py)
    before = delegations_now(visit)
    response = client.post(
        reverse("visits:delegations", args=[visit.pk]),
        delegations_data(visit, {"country": "", "actors": [ministry("CL").pk]}),
    )
    assert response.status_code == 200
    assert error_at(response, "id_delegations-1-country") == "This field is required."
    assert delegations_now(visit) == before


def test_a_country_sends_one_delegation(client, visit, staff_py):
    client.force_login(staff_py)
    before = delegations_now(visit)
    response = client.post(
        reverse("visits:delegations", args=[visit.pk]),
        delegations_data(visit, {"country": country("CL").pk}, {"country": country("UY").pk}),
    )
    assert response.status_code == 200
    assert "Please correct the duplicate data for country." in text(response)
    assert delegations_now(visit) == before  # not even Chile's


def test_host_actors_of_another_country_on_the_edit_page(client, visit, staff_py):
    client.force_login(staff_py)
    before = saved_visit(visit)
    response = client.post(
        reverse("visits:visit_update", args=[visit.pk]),
        plan_data(visit, host_actors=[ministry("PY").pk, ministry("UY").pk]),
    )
    assert response.status_code == 200
    assert error_at(response, "id_host_actors").startswith("Select a valid choice.")
    assert saved_visit(visit) == before


def test_host_actors_of_another_country_on_the_new_visit_page(client, demo, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("visits:visit_create"),
        {
            "host_country": country("PY").pk,
            "title": "Mixed hosts",
            "host_actors": [ministry("PY").pk, ministry("UY").pk],
        },
    )
    assert response.status_code == 200
    assert error_at(response, "id_host_actors") == "Host actors must belong to the host country."
    assert not Visit.objects.exists()


# --- two people saving the same thing -----------------------------------------------------------


def test_stale_visit_form_is_refused(visit):
    # Two forms shown at the same revision, each on its own copy of the visit.
    first = VisitForm(plan_data(visit, title="First"), instance=Visit.objects.get(pk=visit.pk))
    second = VisitForm(
        plan_data(visit, objectives="Second objectives"), instance=Visit.objects.get(pk=visit.pk)
    )
    assert first.is_valid() and second.is_valid()
    first.save()
    before = saved_visit(visit)
    with pytest.raises(StaleEditError):
        second.save()
    assert second.stale
    assert second.non_field_errors() == [str(VisitForm.stale_message)]
    assert saved_visit(visit) == before
    assert before[0][:2] == ("First", "See how care services reach families.")


def test_stale_visit_edit_is_refused_and_keeps_the_input(client, visit, staff_py, coordinator):
    url = reverse("visits:visit_update", args=[visit.pk])
    client.force_login(coordinator)
    assert client.post(url, plan_data(visit, title="The coordinator's title")).status_code == 302
    saved = saved_visit(visit)

    client.force_login(staff_py)  # with a form shown at revision 1
    response = client.post(url, plan_data(visit, objectives="Objectives typed by Paraguay"))
    assert response.status_code == 200
    page = text(response)
    assert STALE in page
    assert "Objectives typed by Paraguay" in page
    assert find(response, "a", href=visit.get_absolute_url(), target="_blank")
    assert saved_visit(visit) == saved


@pytest.fixture
def finding(visit):
    return Finding.objects.create(
        visit=visit,
        delegation=delegation(visit, "UY"),
        kind=Finding.Kind.RECOMMENDATION,
        title="Publish the service standards",
        text="So that other countries can adapt them.",
    )


def finding_data(finding, **changes):
    return {
        "delegation": finding.delegation_id,
        "kind": finding.kind,
        "title": finding.title,
        "text": finding.text,
        "addressee": "",
        "criterion": "",
        "revision": finding.revision,
        **changes,
    }


def saved_finding(finding):
    return (
        Finding.objects.filter(pk=finding.pk)
        .values_list("title", "text", "follow_up_status", "host_response", "revision")
        .get()
    )


def test_stale_finding_edit_is_refused_and_keeps_the_input(client, finding, staff_uy, staff_py):
    # The host answers the recommendation while Uruguay has it open to edit.
    client.force_login(staff_py)
    follow_up = reverse("visits:finding_follow_up", args=[finding.visit_id, finding.pk])
    response = client.post(
        follow_up,
        {"follow_up_status": "accepted", "host_response": "Planned.", "revision": 1},
    )
    assert response.status_code == 302
    saved = saved_finding(finding)

    client.force_login(staff_uy)
    url = reverse("visits:finding_update", args=[finding.visit_id, finding.pk])
    response = client.post(url, finding_data(finding, text="Publish them in Spanish too."))
    assert response.status_code == 200
    assert STALE in text(response)
    assert "Publish them in Spanish too." in text(response)
    assert (
        saved_finding(finding)
        == saved
        == (
            "Publish the service standards",
            "So that other countries can adapt them.",
            "accepted",
            "Planned.",
            2,
        )
    )


# --- closed visits -----------------------------------------------------------------------------


def close(visit):
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CLOSED)


def test_follow_up_stays_editable_after_the_visit_closes(client, finding, staff_py):
    close(finding.visit)
    client.force_login(staff_py)
    url = reverse("visits:finding_follow_up", args=[finding.visit_id, finding.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "follow_up_status": "implemented",
            "host_response": "The standards are online.",
            "revision": finding.revision,
        },
    )
    assert response.status_code == 302
    assert saved_finding(finding)[2:4] == ("implemented", "The standards are online.")
    page = text(client.get(finding.visit.get_absolute_url()))
    assert "Follow-up: Implemented — The standards are online." in page


def test_follow_up_needs_a_status(client, finding, staff_py):
    client.force_login(staff_py)
    url = reverse("visits:finding_follow_up", args=[finding.visit_id, finding.pk])
    response = client.post(url, {"follow_up_status": "", "revision": finding.revision})
    assert error_at(response, "id_follow_up_status") == "This field is required."
    assert saved_finding(finding)[2] == "open"


def test_the_finding_itself_no_longer_changes_after_the_visit_closes(client, finding, staff_uy):
    close(finding.visit)
    client.force_login(staff_uy)
    before = saved_finding(finding)
    url = reverse("visits:finding_update", args=[finding.visit_id, finding.pk])
    response = client.post(url, finding_data(finding, title="Too late"))
    assert response.status_code == 302
    assert saved_finding(finding) == before


@pytest.mark.parametrize("status", [Visit.Status.CLOSED, Visit.Status.CANCELLED])
def test_editing_the_plan_of_a_closed_visit_is_refused(client, visit, staff_py, status):
    Visit.objects.filter(pk=visit.pk).update(status=status)
    client.force_login(staff_py)
    before = saved_visit(visit)
    url = reverse("visits:visit_update", args=[visit.pk])
    for response in (client.get(url), client.post(url, plan_data(visit, title="Too late"))):
        assert response.status_code == 302
        assert response.url == visit.get_absolute_url()
        assert messages_of(response)[-1] == (
            f"The visit is {status.label.lower()}: it can no longer be changed."
        )
    assert saved_visit(visit) == before
