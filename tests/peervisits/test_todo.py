"""The dashboards' to-do lists and the navigation bar's count: what waits for each role, read
from the data, each item a link to where it is done; gone once done."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from countries.models import Country, Person
from countries.roles import roles_of
from peervisits import todo
from tests.support.html import find, text
from visits.models import Delegation, Evaluation, Finding, Participant, Visit
from visits.workflow import apply_transition

User = get_user_model()


def user(username):
    return User.objects.get(username=username)


def dashboard(client, username):
    client.force_login(user(username))
    response = client.get("/")
    assert len(find(response, "section", id="todo")) == 1
    return response


def items(client, username):
    """The to-do list's items, each shown as a link to where it is done."""
    response = dashboard(client, username)
    found = [item for entry in response.context["todos"] for item in entry.items]
    for item in found:
        assert find(response, "a", href=item.url), item
    return found


def tasks(client, username):
    """{task: what it is about, with its flag}"""
    return {item.task: f"{item.about} {item.flag}" for item in items(client, username)}


def links(client, username):
    return {item.task: item.url for item in items(client, username)}


@pytest.fixture
def draft(demo_visits):
    """The demo's draft: Paraguay hosts, Uruguay and Chile visit, neither has listed anyone."""
    return Visit.objects.get(status=Visit.Status.DRAFT, host_country__code="PY")


def complete_the_plan(visit):
    from visits.models import AgendaItem

    AgendaItem.objects.create(
        visit=visit,
        day=visit.start_date,
        start_time="09:00",
        end_time="10:00",
        title="Opening",
        kind=AgendaItem.Kind.MEETING,
    )


def test_the_host_is_asked_to_submit_then_the_coordinator_to_approve(client, draft):
    complete_the_plan(draft)
    assert "Submit the plan for approval." in (tasks(client, "staff-py"))
    assert "Approve or return the submitted plan." not in (tasks(client, "coordinator"))

    apply_transition(draft, "submit", user("staff-py"))
    assert "Submit the plan for approval." not in (tasks(client, "staff-py"))
    coordinator = links(client, "coordinator")
    assert coordinator["Approve or return the submitted plan."].startswith(draft.get_absolute_url())

    apply_transition(draft, "return", user("coordinator"), note="Add a site visit.")
    assert "Approve or return the submitted plan." not in (tasks(client, "coordinator"))
    items = tasks(client, "staff-py")
    assert "returned" in items["Revise the returned plan and submit it again."]


def test_a_visiting_country_is_asked_for_its_participants_until_it_lists_them(client, draft):
    chile = Delegation.objects.get(visit=draft, country__code="CL")
    url = reverse("visits:participants", args=[draft.pk, chile.pk])
    assert links(client, "staff-cl")["List your delegation's participants."] == url
    # Paraguay (the host) is not asked for Chile's part.
    assert "List your delegation's participants." not in (tasks(client, "staff-py"))

    Participant.objects.create(
        delegation=chile, person=Person.objects.filter(actor__country__code="CL").first(),
        role=Participant.Role.TECHNICAL,
    )  # fmt: skip
    assert "List your delegation's participants." not in (tasks(client, "staff-cl"))


def test_findings_and_evaluations_are_due_from_each_delegation_after_the_visit(client, draft):
    uruguay = Delegation.objects.get(visit=draft, country__code="UY")
    lucia = Participant.objects.create(
        delegation=uruguay, person=Person.objects.filter(actor__country__code="UY").first(),
        role=Participant.Role.POLITICAL,
    )  # fmt: skip
    Visit.objects.filter(pk=draft.pk).update(status=Visit.Status.CONDUCTED)
    due = {"Record your delegation's findings.", "Fill in the evaluations of your participants."}
    assert due <= set(tasks(client, "staff-uy"))
    # Chile listed nobody: it owes findings, and no evaluation.
    chile = set(tasks(client, "staff-cl"))
    assert "Record your delegation's findings." in chile
    assert "Fill in the evaluations of your participants." not in chile

    Finding.objects.create(
        visit=draft, delegation=uruguay, kind=Finding.Kind.BEST_PRACTICE, title="Care homes",
        text="Seen.",
    )  # fmt: skip
    Evaluation.objects.create(
        participant=lucia, preparation=4, relevance=4, exchange_quality=5, use_of_time=4
    )
    assert not due & set(tasks(client, "staff-uy"))
    assert "Record your delegation's findings." in (tasks(client, "staff-cl"))


def test_the_visit_page_says_whose_turn_it_is(client, draft):
    client.force_login(user("staff-py"))
    page = text(client.get(draft.get_absolute_url()))
    assert "Chile has not listed its participants." in page
    assert "Uruguay has not listed its participants." in page
    client.force_login(user("staff-cl"))
    page = client.get(draft.get_absolute_url())
    assert "Your turn List your delegation's participants." in text(page)
    assert "Paraguay has not submitted the plan yet." in text(page)


def test_the_coordinator_is_asked_to_close_a_systematised_visit(client, demo_visits):
    visit = Visit.objects.filter(status=Visit.Status.CLOSED).first()
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.SYSTEMATISED)
    assert links(client, "coordinator")["Close the visit."].startswith(visit.get_absolute_url())


def test_the_project_team_sees_the_visits_systematised_lately(client, demo_visits):
    visit = Visit.objects.filter(status=Visit.Status.CLOSED).first()
    Visit.objects.filter(pk=visit.pk).update(
        status=Visit.Status.SYSTEMATISED, updated_at=timezone.now()
    )
    read = [item.about for item in items(client, "projectteam") if item.task.startswith("Read")]
    assert any(visit.title in about for about in read)


@pytest.mark.parametrize("username", ["staff-py", "staff-cl", "coordinator", "projectteam"])
def test_the_navigation_bar_counts_what_the_to_do_list_holds(client, draft, username):
    response = dashboard(client, username)
    total = sum(item.total for item in response.context["todos"])
    assert todo.count_of(user(username), roles_of(user(username))) == total
    if total:
        assert find(response, "a", href="/#todo")
        assert f"To do {total}" in text(response)


def many_visits(count, host="PY"):
    """`count` drafts of `host` with a visiting delegation of Chile that owes its participants."""
    country = Country.objects.get(code=host)
    chile = Country.objects.get(code="CL")
    last = Visit.objects.filter(host_country=country).count()
    visits = Visit.objects.bulk_create(
        Visit(host_country=country, sequence=last + 100 + n, title=f"Draft {n}",
              start_date=date(2027, 1, 4) + timedelta(days=n),
              end_date=date(2027, 1, 5) + timedelta(days=n))
        for n in range(count)
    )  # fmt: skip
    Delegation.objects.bulk_create(Delegation(visit=v, country=chile) for v in visits)


@pytest.mark.parametrize("username", ["staff-py", "staff-cl", "coordinator", "projectteam"])
def test_dashboard_queries_are_the_same_at_10_and_500_visits(
    client, demo_visits, username, django_assert_max_num_queries
):
    client.force_login(user(username))
    many_visits(10 - Visit.objects.count() % 10)
    with django_assert_max_num_queries(40) as few:
        client.get("/")
    many_visits(490)
    with django_assert_max_num_queries(40) as many:
        response = client.get("/")
    assert len(many) == len(few)
    if username in ("staff-py", "staff-cl"):
        assert "100+" in text(response)  # the navigation bar counts up to a hundred


def test_a_delegation_owing_findings_and_evaluations_counts_once_everywhere(client, draft):
    uruguay = Delegation.objects.get(visit=draft, country__code="UY")
    Participant.objects.create(
        delegation=uruguay, person=Person.objects.filter(actor__country__code="UY").first(),
        role=Participant.Role.POLITICAL,
    )  # fmt: skip
    Visit.objects.filter(pk=draft.pk).update(status=Visit.Status.CONDUCTED)
    response = dashboard(client, "staff-uy")
    (part,) = [t for t in response.context["todos"] if t.heading == "Your delegations' part"]
    assert len(part.items) == 2 and part.total == 1  # one delegation, two things to do
    staff_uy = user("staff-uy")
    total = sum(listed.total for listed in response.context["todos"])
    assert todo.count_of(staff_uy, roles_of(staff_uy)) == total
