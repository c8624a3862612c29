"""visits.workflow: every transition of a visit and every precondition, branch by branch.

draft → (submitted) → planned → conducted → systematised → closed, and cancelled from draft
or planned. The visit: Paraguay hosts Uruguay from Monday 6 to Wednesday 8 May 2024.
"""

from datetime import date, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from countries.models import Country, Person
from tests.support.html import find, text
from visits import workflow
from visits.methodology.models import MethodologyVersion
from visits.models import (
    AgendaItem,
    ComplianceCheck,
    Delegation,
    Evaluation,
    Finding,
    Participant,
    Visit,
)
from visits.workflow import VisitError, apply_transition, available_transitions

Status = Visit.Status

DATES = "The dates of the visit are missing."
OBJECTIVES = "The objectives of the visit are missing."
DELEGATION = "No visiting delegation takes part yet."
AGENDA = "The agenda is empty."
FINDINGS = "No findings are recorded."
EVALUATIONS = "No evaluation of the participants is recorded."


def country(code):
    return Country.objects.get(code=code)


def adopted():
    return MethodologyVersion.objects.get(status=MethodologyVersion.Status.ADOPTED)


def new_visit(host="PY", title="Care services in the territory", guest="UY", **fields):
    """A draft with everything a plan needs: dates, objectives, a visiting delegation, agenda."""
    fields = {
        "start_date": date(2024, 5, 6),
        "end_date": date(2024, 5, 8),
        "objectives": "See how care services reach families.",
        **fields,
    }
    visit = Visit.objects.create(host_country=country(host), title=title, **fields)
    Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    Delegation.objects.create(visit=visit, country=country(guest))
    AgendaItem.objects.create(
        visit=visit,
        day=date(2024, 5, 6),
        start_time=time(9),
        end_time=time(12),
        title="Opening",
        kind=AgendaItem.Kind.MEETING,
    )
    return visit


@pytest.fixture
def visit(demo):
    return new_visit()


def refreshed(visit):
    return Visit.objects.get(pk=visit.pk)


def state(visit):
    """What a transition changes."""
    visit = refreshed(visit)
    return (
        visit.status,
        visit.plan_submitted_at,
        visit.return_note,
        visit.cancel_reason,
        visit.methodology_version_id,
        visit.revision,
    )


def refused(visit, name, user, note=""):
    """The message of the refusal; the visit is left as it was."""
    before = state(visit)
    with pytest.raises(VisitError) as refusal:
        apply_transition(visit, name, user, note)
    assert state(visit) == before
    return str(refusal.value)


def submitted(visit, user):
    return apply_transition(visit, "submit", user)


def planned(visit, staff, coordinator):
    submitted(visit, staff)
    return apply_transition(visit, "approve", coordinator)


def set_status(visit, status, version=None):
    Visit.objects.filter(pk=visit.pk).update(
        status=status,
        plan_submitted_at=timezone.now(),
        methodology_version=version or adopted(),
    )
    return refreshed(visit)


def results(visit):
    """Findings, an evaluation and the whole compliance checklist: what systematisation needs."""
    uruguay = visit.delegations.get(country__code="UY")
    participant = Participant.objects.create(
        delegation=uruguay, person=Person.objects.get(name="Lucía Pereira"), role="political"
    )
    Finding.objects.create(
        visit=visit,
        delegation=uruguay,
        kind=Finding.Kind.RECOMMENDATION,
        title="Publish the service standards",
        text="So that other countries can adapt them.",
    )
    Evaluation.objects.create(
        participant=participant, preparation=4, relevance=5, exchange_quality=4, use_of_time=3
    )
    ComplianceCheck.objects.bulk_create(
        ComplianceCheck(visit=visit, criterion=criterion, status=ComplianceCheck.Status.MET)
        for criterion in visit.methodology_version.criteria.all()
    )


# --- submit ------------------------------------------------------------------------------------


def test_submit(visit, staff_py):
    Visit.objects.filter(pk=visit.pk).update(return_note="Add the site visits.")
    before = timezone.now()
    submitted(visit, staff_py)
    visit = refreshed(visit)
    assert visit.status == Status.SUBMITTED  # waiting for the coordinator
    assert visit.plan_submitted_at >= before
    assert visit.return_note == ""
    assert (visit.revision, visit.updated_by) == (2, staff_py)


def remove_dates(visit):
    Visit.objects.filter(pk=visit.pk).update(start_date=None, end_date=None)


def remove_end_date(visit):
    Visit.objects.filter(pk=visit.pk).update(end_date=None)


def remove_objectives(visit):
    Visit.objects.filter(pk=visit.pk).update(objectives="  \n ")


def remove_delegation(visit):
    visit.delegations.filter(is_host=False).delete()


def remove_agenda(visit):
    visit.agenda_items.all().delete()


@pytest.mark.parametrize(
    "remove, message, fix_at",
    [
        (remove_dates, DATES, "visits:visit_update"),
        (remove_end_date, DATES, "visits:visit_update"),
        (remove_objectives, OBJECTIVES, "visits:visit_update"),
        (remove_delegation, DELEGATION, "visits:delegations"),
        (remove_agenda, AGENDA, "visits:agenda_edit"),
    ],
)
def test_submit_refused_names_the_one_thing_missing(visit, staff_py, remove, message, fix_at):
    remove(visit)
    visit = refreshed(visit)
    assert [(gap.message, gap.url) for gap in workflow.plan_gaps(visit)] == [
        (message, reverse(fix_at, args=[visit.pk]))
    ]
    assert refused(visit, "submit", staff_py) == f"Not possible yet: {message}"


def test_submit_refused_lists_everything_missing(demo, staff_py):
    visit = Visit.objects.create(host_country=country("PY"), title="Just an idea")
    Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    assert refused(visit, "submit", staff_py) == (
        f"Not possible yet: {DATES} {OBJECTIVES} {DELEGATION} {AGENDA}"
    )


def test_the_host_team_is_no_visiting_delegation(visit):
    remove_delegation(visit)
    assert visit.delegations.filter(is_host=True).exists()
    assert [gap.message for gap in workflow.plan_gaps(visit)] == [DELEGATION]


def test_the_page_lists_what_is_missing_with_links(client, demo, staff_py):
    visit = Visit.objects.create(host_country=country("PY"), title="Just an idea")
    client.force_login(staff_py)
    response = client.get(visit.get_absolute_url())
    content = text(response)
    assert "Submit the plan for approval — not possible yet:" in content
    for message in (DATES, OBJECTIVES, DELEGATION, AGENDA):
        assert f"{message} Fix it" in content
    links = {a["href"] for a in find(response, "a") if "href" in a}
    for name in ("visit_update", "delegations", "agenda_edit"):
        assert reverse(f"visits:{name}", args=[visit.pk]) in links
    # No button to submit an incomplete plan.
    submit = reverse("visits:transition", args=[visit.pk, "submit"])
    assert not find(response, "form", action=submit)


def test_submitting_through_the_page(client, visit, staff_py):
    client.force_login(staff_py)
    response = client.post(reverse("visits:transition", args=[visit.pk, "submit"]))
    assert response.status_code == 302
    assert refreshed(visit).plan_submitted_at is not None
    page = client.get(visit.get_absolute_url())
    assert "Done: submit the plan for approval." in text(page)
    assert "awaits the coordinator's approval" in text(page)


def test_a_refused_transition_through_the_page_says_why(client, visit, staff_py):
    remove_agenda(visit)
    client.force_login(staff_py)
    response = client.post(reverse("visits:transition", args=[visit.pk, "submit"]))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"Not possible yet: {AGENDA}"]
    assert refreshed(visit).plan_submitted_at is None


def test_an_unknown_transition_is_refused(client, visit, coordinator):
    client.force_login(coordinator)
    before = state(visit)
    assert client.post(reverse("visits:transition", args=[visit.pk, "finish"])).status_code == 403
    assert state(visit) == before


# --- approve -----------------------------------------------------------------------------------


def test_approve_records_the_adopted_methodology_version(visit, staff_py, coordinator):
    submitted(visit, staff_py)
    apply_transition(visit, "approve", coordinator)
    visit = refreshed(visit)
    assert visit.status == Status.PLANNED
    assert visit.methodology_version == adopted() == MethodologyVersion.objects.get(number=1)
    assert (visit.revision, visit.updated_by) == (3, coordinator)


def test_approve_records_the_version_adopted_at_that_time(visit, staff_py, coordinator):
    MethodologyVersion.objects.filter(number=1).update(status=MethodologyVersion.Status.SUPERSEDED)
    MethodologyVersion.objects.filter(number=2).update(status=MethodologyVersion.Status.ADOPTED)
    planned(visit, staff_py, coordinator)
    assert refreshed(visit).methodology_version.number == 2


def test_approve_needs_the_submission(visit, coordinator):
    assert refused(visit, "approve", coordinator) == (
        "The visit is draft: “Approve the plan” is not possible now."
    )


def test_approve_refused_without_an_adopted_version(visit, staff_py, coordinator):
    submitted(visit, staff_py)
    MethodologyVersion.objects.update(status=MethodologyVersion.Status.SUPERSEDED)
    assert refused(visit, "approve", coordinator) == (
        "No methodology version is adopted: a plan cannot be approved."
    )


def test_approve_checks_the_plan_again(visit, staff_py, coordinator):
    submitted(visit, staff_py)
    remove_agenda(visit)  # after the submission
    assert refused(visit, "approve", coordinator) == f"Not possible yet: {AGENDA}"


# --- return ------------------------------------------------------------------------------------


def test_return_needs_a_note(visit, staff_py, coordinator):
    submitted(visit, staff_py)
    assert refused(visit, "return", coordinator) == "Please give a reason."
    assert refused(visit, "return", coordinator, note="  \n") == "Please give a reason."


def test_return_needs_the_submission(visit, coordinator):
    assert refused(visit, "return", coordinator, "Too short.") == (
        "The visit is draft: “Return the plan” is not possible now."
    )


def test_a_returned_plan_says_so_with_the_note_until_it_is_submitted_again(
    client, visit, staff_py, coordinator
):
    submitted(visit, staff_py)
    apply_transition(visit, "return", coordinator, note="  Add a site visit on day two.  ")
    visit = refreshed(visit)
    assert visit.status == Status.RETURNED
    assert visit.return_note == "Add a site visit on day two."

    client.force_login(staff_py)
    content = text(client.get(visit.get_absolute_url()))
    assert "Returned" in content
    assert "The coordinator returned the plan: Add a site visit on day two." in content
    # The host can submit again, which clears the note.
    assert [t.name for t, _gaps in available_transitions(visit, staff_py)] == ["submit", "cancel"]
    submitted(visit, staff_py)
    assert (refreshed(visit).status, refreshed(visit).return_note) == (Status.SUBMITTED, "")
    assert "Returned" not in text(client.get(visit.get_absolute_url()))


def test_return_through_the_page(client, visit, staff_py, coordinator):
    submitted(visit, staff_py)
    client.force_login(coordinator)
    url = reverse("visits:transition", args=[visit.pk, "return"])
    client.post(url, {"note": ""})
    assert refreshed(visit).status == Status.SUBMITTED
    client.post(url, {"note": "Agree the objectives with Uruguay."})
    assert refreshed(visit).return_note == "Agree the objectives with Uruguay."


# --- conduct -----------------------------------------------------------------------------------


def test_conduct_refused_before_the_end_date(visit, staff_py):
    tomorrow = timezone.localdate() + timedelta(days=1)
    Visit.objects.filter(pk=visit.pk).update(
        start_date=tomorrow - timedelta(days=2), end_date=tomorrow
    )
    visit = set_status(visit, Status.PLANNED)
    assert refused(visit, "conduct", staff_py) == (
        f"Not possible yet: The visit ends on {tomorrow.isoformat()}: it can be marked as "
        "conducted after that."
    )


def test_conduct_on_the_last_day(visit, staff_py):
    today = timezone.localdate()
    Visit.objects.filter(pk=visit.pk).update(start_date=today, end_date=today)
    visit = set_status(visit, Status.PLANNED)
    apply_transition(visit, "conduct", staff_py)
    assert refreshed(visit).status == Status.CONDUCTED


# --- systematise -------------------------------------------------------------------------------


@pytest.fixture
def conducted(visit):
    visit = set_status(visit, Status.CONDUCTED)
    results(visit)
    return visit


def test_systematise(conducted, staff_py):
    assert workflow.systematisation_gaps(conducted) == []
    apply_transition(conducted, "systematise", staff_py)
    assert refreshed(conducted).status == Status.SYSTEMATISED


def test_systematise_refused_without_findings(conducted, staff_py):
    conducted.findings.all().delete()
    assert refused(conducted, "systematise", staff_py) == f"Not possible yet: {FINDINGS}"


def test_systematise_refused_without_evaluations(conducted, staff_py):
    conducted.evaluations.all().delete()
    assert refused(conducted, "systematise", staff_py) == f"Not possible yet: {EVALUATIONS}"


def test_systematise_refused_with_an_incomplete_checklist(conducted, staff_py):
    conducted.compliance_checks.filter(criterion__code__in=["PREP-02", "SYST-03"]).delete()
    assert refused(conducted, "systematise", staff_py) == (
        "Not possible yet: The compliance checklist lacks PREP-02, SYST-03."
    )
    (gap,) = workflow.systematisation_gaps(conducted)
    assert gap.url == reverse("visits:compliance", args=[conducted.pk])


def test_systematise_refused_lists_everything_missing(visit, staff_py):
    visit = set_status(visit, Status.CONDUCTED)
    codes = ", ".join(visit.methodology_version.criteria.values_list("code", flat=True))
    assert refused(visit, "systematise", staff_py) == (
        f"Not possible yet: {FINDINGS} {EVALUATIONS} The compliance checklist lacks {codes}."
    )


# --- close and cancel --------------------------------------------------------------------------


def test_close(visit, coordinator):
    visit = set_status(visit, Status.SYSTEMATISED)
    apply_transition(visit, "close", coordinator)
    visit = refreshed(visit)
    assert (visit.status, visit.is_open) == (Status.CLOSED, False)


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.PLANNED]
)
def test_cancel(visit, staff_py, status):
    visit = set_status(visit, status)
    apply_transition(visit, "cancel", staff_py, note=" The host postponed the programme. ")
    visit = refreshed(visit)
    assert visit.status == Status.CANCELLED
    assert visit.cancel_reason == "The host postponed the programme."


def test_cancel_needs_a_reason(visit, staff_py):
    assert refused(visit, "cancel", staff_py) == "Please give a reason."
    assert refused(visit, "cancel", staff_py, note=" ") == "Please give a reason."


def test_a_cancelled_visit_shows_its_reason(client, visit, staff_uy, staff_py):
    apply_transition(visit, "cancel", staff_py, note="Elections in the host country.")
    client.force_login(staff_uy)
    assert "Cancelled: Elections in the host country." in text(client.get(visit.get_absolute_url()))


# --- from the wrong status ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(workflow.TRANSITIONS))
def test_transition_from_the_wrong_status_is_refused(visit, coordinator, name):
    transition = workflow.TRANSITIONS[name]
    wrong = [status for status in Status if status not in transition.sources]
    assert wrong
    for status in wrong:
        visit = set_status(visit, status)
        message = refused(visit, name, coordinator, note="A reason.")
        assert message == (
            f"The visit is {status.label.lower()}: “{transition.label}” is not possible now."
        ), status


# --- who is offered what -----------------------------------------------------------------------


def offered(visit, user):
    return [transition.name for transition, _gaps in available_transitions(refreshed(visit), user)]


def test_available_transitions_through_the_life_of_a_visit(
    visit, staff_py, staff_uy, coordinator, projectteam
):
    def offers():
        return {
            user.username: offered(visit, user)
            for user in (staff_py, staff_uy, coordinator, projectteam)
        }

    def host_and_coordinator(host, coordinator):
        # Uruguay's staff and the project team are never offered a transition.
        return {"staff-py": host, "coordinator": coordinator, "staff-uy": [], "projectteam": []}

    assert offers() == host_and_coordinator(["submit", "cancel"], ["submit", "cancel"])
    submitted(visit, staff_py)
    assert offers() == host_and_coordinator(["cancel"], ["approve", "return", "cancel"])
    set_status(visit, Status.PLANNED)
    assert offers() == host_and_coordinator(["conduct", "cancel"], ["conduct", "cancel"])
    set_status(visit, Status.CONDUCTED)
    assert offers() == host_and_coordinator(["systematise"], ["systematise"])
    set_status(visit, Status.SYSTEMATISED)
    assert offers() == host_and_coordinator([], ["close"])
    for status in (Status.CLOSED, Status.CANCELLED):
        set_status(visit, status)
        assert offers() == host_and_coordinator([], [])


def test_available_transitions_carry_their_gaps(visit, staff_py):
    remove_agenda(visit)
    (submit, gaps), (cancel, no_gaps) = available_transitions(refreshed(visit), staff_py)
    assert (submit.name, [gap.message for gap in gaps]) == ("submit", [AGENDA])
    assert (cancel.name, no_gaps) == ("cancel", [])


def test_staff_of_another_host_are_offered_nothing(visit, staff_br):
    assert offered(visit, staff_br) == []


# --- the visit number per host -----------------------------------------------------------------


def test_visits_are_numbered_per_host_country(demo):
    first = new_visit("PY", "First in Paraguay")
    second = new_visit("PY", "Second in Paraguay")
    uruguay = new_visit("UY", "First in Uruguay", guest="PY")
    third = new_visit("PY", "Third in Paraguay")
    assert [v.sequence for v in (first, second, uruguay, third)] == [1, 2, 1, 3]
    assert str(third.label) == "Paraguay, visit 3"
    assert str(uruguay) == "First in Uruguay (Uruguay, visit 1)"


def test_the_number_does_not_change_on_save(visit):
    visit.title = "Renamed"
    visit.save()
    assert refreshed(visit).sequence == 1


def test_the_database_refuses_a_number_twice(visit):
    other = new_visit("PY", "Second")
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=other.pk).update(sequence=visit.sequence)
