"""visits.notices: who is told what about a visit, and who is not.

Each test compares the whole inbox (every Notification row) with the exact recipients: a
notification to anybody else fails it as much as a missing one. The visit: Paraguay hosts
Uruguay from Monday 6 to Wednesday 8 May 2024 (the demo users: one staff member per country,
the coordinator and the project team).
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from core.concurrency import fingerprint
from core.models import Notification
from countries.models import Actor, Country, Membership
from tests.support import worlds
from visits import notices, workflow
from visits.models import Finding, Visit
from visits.workflow import VisitError, apply_transition

Status = Visit.Status
TITLE = "Care services in the territory"


@pytest.fixture(autouse=True)
def eager_celery(settings):
    # The immediate e-mails are sent in the test's process (core's tests do the same).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def user(username):
    return get_user_model().objects.get(username=username)


def country(code):
    return Country.objects.get(code=code)


def ministry(code):
    """The actor the country's demo staff member works for."""
    return Membership.objects.get(user__username=f"staff-{code.lower()}").actor


def new_visit(host="PY", guests=("UY",), status=Status.DRAFT, **fields):
    return worlds.plan(host, guests, status, title=TITLE, **fields)


@pytest.fixture
def visit(demo):
    return new_visit()


def inbox():
    """Every notification: sorted (recipient, kind)."""
    return sorted(Notification.objects.values_list("recipient__username", "kind"))


def to(kind, *usernames):
    return sorted((username, kind) for username in usernames)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs `action` and what waits for its transaction to commit: the notifications."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def another_user(username, actor, role=Membership.Role.STAFF, **fields):
    other = get_user_model().objects.create_user(
        username, email=f"{username}@example.org", **fields
    )
    Membership.objects.create(user=other, actor=actor, role=role)
    return other


# --- the plan's workflow -----------------------------------------------------------------------


def test_a_submitted_plan_is_for_every_coordinator(visit, staff_py, coordinator, committed):
    another_user(
        "coordinator-2", coordinator.memberships.get().actor, role=Membership.Role.COORDINATOR
    )
    another_user(
        "coordinator-gone",
        coordinator.memberships.get().actor,
        role=Membership.Role.COORDINATOR,
        is_active=False,
    )
    committed(apply_transition, visit, "submit", staff_py)

    # Neither staff-py, who submitted it, nor the project team, nor an inactive coordinator.
    assert inbox() == to(notices.PLAN_SUBMITTED, "coordinator", "coordinator-2")
    notification = Notification.objects.get(recipient=coordinator)
    assert (notification.target, notification.actor) == (visit, staff_py)
    assert notification.text == f"The plan of “{TITLE}” was submitted for your approval."


def test_the_coordinator_submitting_is_not_told(visit, coordinator, committed):
    committed(apply_transition, visit, "submit", coordinator)
    assert inbox() == []


def test_an_approved_plan_is_for_the_hosts_staff(visit, staff_py, coordinator, committed):
    another_user("colleague-py", ministry("PY"))
    another_user("colleague-uy", ministry("UY"))
    apply_transition(visit, "submit", staff_py)  # not committed: no notification
    committed(apply_transition, visit, "approve", coordinator)

    # Not Uruguay's staff, who join the visit; nor the coordinator, who approved it.
    assert inbox() == to(notices.PLAN_APPROVED, "colleague-py", "staff-py")
    assert Notification.objects.get(recipient=staff_py).text == (
        f"The coordinator approved the plan of “{TITLE}”."
    )


def test_a_returned_plan_is_for_the_hosts_staff_with_the_reason(
    visit, staff_py, coordinator, committed
):
    apply_transition(visit, "submit", staff_py)
    committed(apply_transition, visit, "return", coordinator, "  Add a site visit on day two. ")

    assert inbox() == to(notices.PLAN_RETURNED, "staff-py")
    notification = Notification.objects.get()
    assert notification.context["reason"] == "Add a site visit on day two."
    assert notification.text == (
        f"The coordinator returned the plan of “{TITLE}”: Add a site visit on day two."
    )


def test_the_return_through_the_page(client, visit, staff_py, coordinator, committed):
    apply_transition(visit, "submit", staff_py)
    client.force_login(coordinator)
    url = reverse("visits:transition", args=[visit.pk, "return"])
    committed(client.post, url, {"note": "Agree the objectives with Uruguay."})

    assert inbox() == to(notices.PLAN_RETURNED, "staff-py")
    assert Notification.objects.get().text.endswith(": Agree the objectives with Uruguay.")


def test_a_refused_step_tells_nobody(visit, staff_py, coordinator, committed):
    visit.agenda_items.all().delete()
    with pytest.raises(VisitError):
        committed(apply_transition, visit, "submit", staff_py)
    assert inbox() == []


@pytest.mark.parametrize(
    "actor, told",
    [
        ("coordinator", ["staff-cl", "staff-py", "staff-uy"]),
        ("staff-py", ["staff-cl", "staff-uy"]),
    ],
)
def test_a_conducted_visit_is_for_the_staff_of_every_delegation(demo, committed, actor, told):
    visit = new_visit(guests=("UY", "CL"), status=Status.PLANNED)
    committed(apply_transition, visit, "conduct", user(actor))

    # Brazil, Colombia and Costa Rica take no part; the coordinator is not a delegation.
    assert inbox() == to(notices.VISIT_CONDUCTED, *told)
    assert Notification.objects.filter(recipient__username="staff-uy").get().text == (
        f"“{TITLE}” took place: please record your delegation's findings and evaluations."
    )


@pytest.mark.parametrize(
    "name, status", [("close", Status.SYSTEMATISED), ("cancel", Status.PLANNED)]
)
def test_closing_and_cancelling_tell_nobody(demo, coordinator, committed, name, status):
    visit = new_visit(status=status)
    committed(apply_transition, visit, name, coordinator, "Postponed.")
    assert Visit.objects.get(pk=visit.pk).status == workflow.TRANSITIONS[name].target
    assert inbox() == []


# --- delegations -------------------------------------------------------------------------------


def post_delegations(client, visit, *codes):
    """The delegations page adding the countries `codes`, as its form sends them."""
    shown = visit.delegations.filter(is_host=False).values_list("pk", "country_id", "actors")
    data = {
        "state": fingerprint(shown),
        "delegations-TOTAL_FORMS": str(len(codes)),
        "delegations-INITIAL_FORMS": "0",
    }
    for index, code in enumerate(codes):
        data[f"delegations-{index}-country"] = country(code).pk
    return client.post(reverse("visits:delegations", args=[visit.pk]), data)


def test_an_added_delegation_is_for_its_countrys_staff(client, visit, staff_py, committed):
    client.force_login(staff_py)
    response = committed(post_delegations, client, visit, "CL")
    assert response.status_code == 302
    assert visit.delegations.filter(country__code="CL").exists()

    # Not Uruguay's staff, who were there already; not the host's, who added it.
    assert inbox() == to(notices.DELEGATION_ADDED, "staff-cl")
    notification = Notification.objects.get()
    assert (notification.target, notification.actor) == (visit, staff_py)
    assert notification.text == (
        f"Your country takes part in “{TITLE}”: please list its participants."
    )
    assert Visit.objects.get(pk=visit.pk).status == Status.DRAFT


def test_two_added_delegations_by_the_coordinator(client, visit, coordinator, committed):
    client.force_login(coordinator)
    assert committed(post_delegations, client, visit, "CL", "BR").status_code == 302
    assert inbox() == to(notices.DELEGATION_ADDED, "staff-br", "staff-cl")


def test_a_delegation_added_to_an_approved_plan(client, demo, staff_py, committed):
    visit = new_visit(status=Status.PLANNED)
    client.force_login(staff_py)
    assert committed(post_delegations, client, visit, "CL").status_code == 302

    # Chile is invited; every delegation (Chile's too) and the coordinator hear of the change.
    assert inbox() == sorted(
        [
            *to(notices.DELEGATION_ADDED, "staff-cl"),
            *to(notices.PLAN_CHANGED, "coordinator", "staff-cl", "staff-uy"),
        ]
    )
    assert Visit.objects.get(pk=visit.pk).status == Status.SUBMITTED


def test_saving_the_delegations_unchanged_tells_nobody(client, visit, staff_py, committed):
    client.force_login(staff_py)
    assert committed(post_delegations, client, visit).status_code == 302
    assert inbox() == []


# --- recommendations ---------------------------------------------------------------------------


@pytest.fixture
def planned(demo):
    return new_visit(status=Status.PLANNED)


def post_finding(client, visit, addressee, finding=None, kind=Finding.Kind.RECOMMENDATION):
    uruguay = visit.delegations.get(country__code="UY")
    data = {
        "delegation": uruguay.pk,
        "kind": kind,
        "title": "Publish the service standards",
        "text": "So that other countries can adapt them.",
        "addressee": addressee.pk if addressee else "",
    }
    if finding is None:
        url = reverse("visits:finding_create", args=[visit.pk])
    else:
        url = reverse("visits:finding_update", args=[visit.pk, finding.pk])
        data["revision"] = finding.revision
    return client.post(url, data)


def test_a_recommendation_is_for_the_addressees_staff(client, planned, staff_uy, committed):
    client.force_login(staff_uy)
    response = committed(post_finding, client, planned, ministry("PY"))
    assert response.status_code == 302

    finding = Finding.objects.get()
    assert inbox() == to(notices.RECOMMENDATION_ADDRESSED, "staff-py")
    notification = Notification.objects.get()
    assert (notification.target, notification.actor) == (finding, staff_uy)
    assert notification.text == (
        f"“{TITLE}”: the recommendation “Publish the service standards” is addressed to "
        f"{ministry('PY')}."
    )


def test_a_recommendation_to_a_country_not_in_the_visit_tells_nobody(
    client, planned, staff_uy, committed
):
    # Chile's staff cannot see the visit: they are not told of it.
    client.force_login(staff_uy)
    assert committed(post_finding, client, planned, ministry("CL")).status_code == 302
    assert Finding.objects.get().addressee == ministry("CL")
    assert inbox() == []


def test_a_recommendation_to_the_authors_own_country(client, planned, staff_uy, committed):
    colleague = another_user("colleague-uy", ministry("UY"))
    client.force_login(staff_uy)
    assert committed(post_finding, client, planned, ministry("UY")).status_code == 302
    # Uruguay's other staff are told; staff-uy wrote it.
    assert inbox() == to(notices.RECOMMENDATION_ADDRESSED, colleague.username)


def test_no_addressee_or_no_recommendation_tells_nobody(client, planned, staff_uy, committed):
    client.force_login(staff_uy)
    assert committed(post_finding, client, planned, None).status_code == 302
    best = Finding.Kind.BEST_PRACTICE
    assert committed(post_finding, client, planned, ministry("PY"), kind=best).status_code == 302
    assert Finding.objects.count() == 2
    assert inbox() == []


def test_only_a_new_addressee_is_told(client, planned, staff_uy, committed):
    client.force_login(staff_uy)
    committed(post_finding, client, planned, ministry("PY"))
    finding = Finding.objects.get()
    Notification.objects.all().delete()

    # Saved again with the same addressee: nobody is told again.
    assert committed(post_finding, client, planned, ministry("PY"), finding).status_code == 302
    assert inbox() == []

    # Addressed to another actor of a country in the visit: its staff are.
    another = Actor.objects.create(
        country=country("PY"), name="Municipalidad de Asunción", kind=Actor.Kind.GOVERNMENT
    )
    finding.refresh_from_db()
    assert committed(post_finding, client, planned, another, finding).status_code == 302
    assert inbox() == to(notices.RECOMMENDATION_ADDRESSED, "staff-py")


# --- responses due -----------------------------------------------------------------------------


def closed_visit(days_ago, addressee_code="UY", guests=("UY",)):
    visit = new_visit(guests=guests, status=Status.CLOSED)
    Visit.objects.filter(pk=visit.pk).update(
        closed_at=timezone.now() - timedelta(days=days_ago, hours=1)
    )
    finding = Finding.objects.create(
        visit=visit,
        delegation=visit.delegations.get(is_host=True),
        kind=Finding.Kind.RECOMMENDATION,
        title="Publish the service standards",
        text="So that other countries can adapt them.",
        addressee=ministry(addressee_code) if addressee_code else None,
    )
    assert finding.follow_up_status == Finding.FollowUp.OPEN
    return visit, finding


def test_an_open_recommendation_long_after_the_closing(demo, settings, committed):
    days = settings.RECOMMENDATION_RESPONSE_DAYS
    visit, finding = closed_visit(days + 5)

    assert committed(notices.ask_for_responses) == 1
    assert inbox() == to(notices.RESPONSE_DUE, "staff-uy")
    notification = Notification.objects.get()
    assert (notification.target, notification.actor) == (finding, None)
    assert notification.text == (
        f"“{TITLE}” closed {days + 5} days ago: the recommendation “Publish the service "
        "standards” awaits a response."
    )

    # Asked once: the next day's run asks nobody again, even once the item is read.
    assert committed(notices.ask_for_responses) == 0
    Notification.objects.update(read_at=timezone.now())
    assert committed(notices.ask_for_responses) == 0
    assert inbox() == to(notices.RESPONSE_DUE, "staff-uy")


def test_the_response_is_due_after_the_days_set(demo, settings, committed):
    settings.RECOMMENDATION_RESPONSE_DAYS = 10
    closed_visit(9)
    assert committed(notices.ask_for_responses) == 0
    assert inbox() == []
    # On the tenth day.
    assert committed(notices.ask_for_responses, timezone.localdate() + timedelta(days=1)) == 1
    assert inbox() == to(notices.RESPONSE_DUE, "staff-uy")


def test_a_recently_closed_visit_asks_nobody(demo, settings, committed):
    closed_visit(settings.RECOMMENDATION_RESPONSE_DAYS - 2)
    assert committed(notices.ask_for_responses) == 0
    assert inbox() == []


def test_only_open_recommendations_of_closed_visits(demo, settings, committed):
    days = settings.RECOMMENDATION_RESPONSE_DAYS + 5
    _visit, answered = closed_visit(days)
    Finding.objects.filter(pk=answered.pk).update(follow_up_status=Finding.FollowUp.ACCEPTED)
    visit, _finding = closed_visit(days)
    Visit.objects.filter(pk=visit.pk).update(status=Status.SYSTEMATISED)
    assert committed(notices.ask_for_responses) == 0
    assert inbox() == []


def test_without_an_addressee_the_host_is_asked(demo, settings, committed):
    closed_visit(settings.RECOMMENDATION_RESPONSE_DAYS + 1, addressee_code=None)
    assert committed(notices.ask_for_responses) == 1
    assert inbox() == to(notices.RESPONSE_DUE, "staff-py")


def test_an_addressee_not_in_the_visit_falls_back_to_the_host(demo, settings, committed):
    # Chile's staff could not see the recommendation: the host, who responds, is asked.
    closed_visit(settings.RECOMMENDATION_RESPONSE_DAYS + 1, addressee_code="CL")
    assert committed(notices.ask_for_responses) == 1
    assert inbox() == to(notices.RESPONSE_DUE, "staff-py")
    assert committed(notices.ask_for_responses) == 0


# --- the e-mails -------------------------------------------------------------------------------


def mail_to(outbox, username):
    [message] = [m for m in outbox if m.to == [user(username).email]]
    return message


def subject_in(language, kind):
    with translation.override(language):
        return f"PeerVisits: {notices.notifications.kinds()[kind].subject}"


def test_each_immediate_mail_is_in_the_recipients_language(
    demo, coordinator, mailoutbox, committed
):
    visit = new_visit(guests=("UY", "BR"), status=Status.PLANNED)
    committed(apply_transition, visit, "conduct", coordinator)

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        user(name).email for name in ("staff-br", "staff-py", "staff-uy")
    )
    brazil, paraguay = mail_to(mailoutbox, "staff-br"), mail_to(mailoutbox, "staff-py")
    assert brazil.body.startswith("Prezada/o ")  # Portuguese
    assert paraguay.body.startswith("Estimada/o ")  # Spanish
    assert brazil.subject == subject_in("pt", notices.VISIT_CONDUCTED)
    assert paraguay.subject == subject_in("es", notices.VISIT_CONDUCTED)
    notification = Notification.objects.get(recipient__username="staff-br")
    assert f"/notifications/{notification.pk}/" in brazil.body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_the_visit_sentences_are_translated(demo, coordinator, mailoutbox, committed):
    visit = new_visit(guests=("BR",), status=Status.PLANNED)
    committed(apply_transition, visit, "conduct", coordinator)
    english = "A visit took place: findings and evaluations are due"
    words = {"staff-br": "registre as constatações", "staff-py": "registre los hallazgos"}
    for username, translated in words.items():
        message = mail_to(mailoutbox, username)
        assert english not in message.subject
        assert "took place: please record" not in message.body
        assert translated in message.body
