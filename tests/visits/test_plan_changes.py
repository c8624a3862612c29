"""Changes to an approved plan (visits.workflow.plan_changed): new dates, city, delegations or
agenda send a planned visit back to the coordinator, listing the changes, and tell every
delegation; other changes, and changes to plans not approved yet, do not. A visit that took
place keeps its dates and city; new dates keep the agenda inside them.

The visit: Paraguay hosts Uruguay in Asunción from Monday 6 to Wednesday 8 May 2024, with an
item on its agenda on the first day; the plan is approved.
"""

from datetime import date, time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from core.models import Notification
from countries.models import Country
from tests.support import worlds
from tests.support.html import input_value, text
from visits import notices
from visits.models import AgendaItem, Delegation, Visit

Status = Visit.Status
TITLE = "Care services in the territory"
REPLANNED = (
    "The approved plan changed: it goes back to the coordinator for approval, and every "
    "delegation is told."
)
AWAITS_AGAIN = "The approved plan changed and awaits the coordinator's approval again:"
TOOK_PLACE = "The visit took place: its dates and city no longer change."


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def country(code):
    return Country.objects.get(code=code)


def new_visit(status=Status.PLANNED):
    return worlds.plan(status=status, title=TITLE)


@pytest.fixture
def visit(demo):
    return new_visit()


def refreshed(visit):
    return Visit.objects.get(pk=visit.pk)


def inbox():
    """Every notification: sorted (recipient, kind)."""
    return sorted(Notification.objects.values_list("recipient__username", "kind"))


def to(kind, *usernames):
    return sorted((username, kind) for username in usernames)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs `action` and what waits for its transaction to commit: the notifications."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def host(client, staff_py):
    client.force_login(staff_py)
    return client


def plan_data(visit, **changes):
    """What the plan's edit form sends, unchanged unless told."""
    visit = refreshed(visit)
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


def edit(client, visit, **changes):
    return client.post(reverse("visits:visit_update", args=[visit.pk]), plan_data(visit, **changes))


def saved(visit):
    """What a refused edit leaves as it was."""
    return (
        Visit.objects.filter(pk=visit.pk)
        .values_list(
            "status", "city", "start_date", "end_date", "changes_since_approval", "revision"
        )
        .get(),
        visit.history.count(),
    )


# --- the plan's dates and city -----------------------------------------------------------------


def test_new_dates_send_the_approved_plan_back_to_the_coordinator(
    client, host, visit, coordinator, committed
):
    response = committed(edit, host, visit, start_date="2024-05-05", end_date="2024-05-09")
    assert response.status_code == 302
    assert messages_of(response) == ["The visit was saved.", REPLANNED]

    changed = refreshed(visit)
    changes = ["Start date: May 6, 2024 → May 5, 2024", "End date: May 8, 2024 → May 9, 2024"]
    assert changed.status == Status.SUBMITTED
    assert changed.changes_since_approval.splitlines() == changes
    assert (changed.start_date, changed.end_date) == (date(2024, 5, 5), date(2024, 5, 9))
    assert changed.plan_submitted_at > visit.plan_submitted_at

    # The visit's page lists them, for every delegation.
    client.force_login(get_user_model().objects.get(username="staff-uy"))
    page = text(client.get(visit.get_absolute_url()))
    assert f"{AWAITS_AGAIN} {changes[0]} {changes[1]}" in page

    # Uruguay's staff and the coordinator are told; staff-py changed it.
    assert inbox() == to(notices.PLAN_CHANGED, "coordinator", "staff-uy")
    notification = Notification.objects.get(recipient=coordinator)
    assert notification.text == (
        f"The approved plan of “{TITLE}” changed: {changes[0]}; {changes[1]}"
    )

    # The coordinator approves it again: planned, the changes cleared, the host told.
    Notification.objects.all().delete()
    client.force_login(coordinator)
    url = reverse("visits:transition", args=[visit.pk, "approve"])
    assert committed(client.post, url).status_code == 302
    approved = refreshed(visit)
    assert (approved.status, approved.changes_since_approval) == (Status.PLANNED, "")
    assert AWAITS_AGAIN not in text(client.get(visit.get_absolute_url()))
    assert inbox() == to(notices.PLAN_APPROVED, "staff-py")


def test_a_new_city(host, visit, committed):
    response = committed(edit, host, visit, city="Encarnación")
    assert messages_of(response) == ["The visit was saved.", REPLANNED]
    changed = refreshed(visit)
    assert changed.status == Status.SUBMITTED
    assert changed.changes_since_approval == "City: Asunción → Encarnación"
    assert inbox() == to(notices.PLAN_CHANGED, "coordinator", "staff-uy")


def test_the_coordinator_changing_the_plan_is_not_told(client, visit, coordinator, committed):
    client.force_login(coordinator)
    committed(edit, client, visit, end_date="2024-05-09")
    assert refreshed(visit).status == Status.SUBMITTED
    assert inbox() == to(notices.PLAN_CHANGED, "staff-py", "staff-uy")


def test_changes_until_the_approval_add_up(host, visit, committed):
    committed(edit, host, visit, end_date="2024-05-09")
    host.get(visit.get_absolute_url())  # shows (and so clears) the messages
    # Waiting for the approval, the plan changes again: both changes are listed.
    response = committed(edit, host, visit, city="Encarnación")
    assert messages_of(response) == ["The visit was saved.", REPLANNED]
    changed = refreshed(visit)
    assert changed.status == Status.SUBMITTED
    assert changed.changes_since_approval.splitlines() == [
        "End date: May 8, 2024 → May 9, 2024",
        "City: Asunción → Encarnación",
    ]


def test_only_the_objectives_changed(host, visit, committed):
    before = refreshed(visit)
    response = committed(edit, host, visit, objectives="Compare the care registries.")
    assert messages_of(response) == ["The visit was saved."]
    changed = refreshed(visit)
    assert changed.objectives == "Compare the care registries."
    assert (changed.status, changed.changes_since_approval) == (Status.PLANNED, "")
    assert changed.plan_submitted_at == before.plan_submitted_at
    assert inbox() == []


def test_saving_the_plan_unchanged(host, visit, committed):
    response = committed(edit, host, visit)
    assert messages_of(response) == ["The visit was saved."]
    assert refreshed(visit).status == Status.PLANNED
    assert inbox() == []


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED, Status.SUBMITTED])
def test_a_plan_not_approved_yet_changes_freely(demo, staff_py, client, committed, status):
    visit = new_visit(status)
    client.force_login(staff_py)
    response = committed(edit, client, visit, start_date="2024-05-05", city="Encarnación")
    assert messages_of(response) == ["The visit was saved."]
    changed = refreshed(visit)
    assert (changed.start_date, changed.city) == (date(2024, 5, 5), "Encarnación")
    assert (changed.status, changed.changes_since_approval) == (status, "")
    assert inbox() == []


def test_new_dates_must_keep_the_agenda_inside(host, visit, committed):
    AgendaItem.objects.create(
        visit=visit,
        day=date(2024, 5, 7),
        start_time=time(9),
        end_time=time(12),
        title="Site visit",
        kind=AgendaItem.Kind.SITE_VISIT,
    )
    before = saved(visit)
    response = committed(edit, host, visit, start_date="2024-05-08", end_date="2024-05-10")
    assert response.status_code == 200
    assert (
        "The agenda has items on May 6, 2024, May 7, 2024, outside these dates: move them on "
        "the agenda page first, or choose dates that include them."
    ) in text(response)
    assert input_value(response, "start_date") == "2024-05-08"  # what was typed stays
    assert saved(visit) == before
    assert inbox() == []


def test_dates_that_still_hold_the_agenda(host, visit, committed):
    # Shorter, but the agenda's only day stays in.
    response = committed(edit, host, visit, end_date="2024-05-06")
    assert response.status_code == 302
    assert refreshed(visit).changes_since_approval == "End date: May 8, 2024 → May 6, 2024"


@pytest.mark.parametrize(
    "changes, fields",
    [
        ({"city": "Encarnación"}, ["city"]),
        ({"start_date": "2024-05-06", "end_date": "2024-05-09"}, ["end_date"]),
    ],
)
@pytest.mark.parametrize("status", [Status.CONDUCTED, Status.SYSTEMATISED])
def test_a_visit_that_took_place_keeps_its_dates_and_city(
    demo, client, staff_py, committed, status, changes, fields
):
    visit = new_visit(status)
    client.force_login(staff_py)
    before = saved(visit)
    response = committed(edit, client, visit, **changes)
    assert response.status_code == 200
    assert text(response).count(TOOK_PLACE) == len(fields)
    assert saved(visit) == before
    assert inbox() == []


def test_a_visit_that_took_place_still_changes_its_objectives(demo, client, staff_py, committed):
    visit = new_visit(Status.CONDUCTED)
    client.force_login(staff_py)
    response = committed(edit, client, visit, objectives="Compare the care registries.")
    assert response.status_code == 302
    changed = refreshed(visit)
    assert (changed.status, changed.objectives) == (
        Status.CONDUCTED,
        "Compare the care registries.",
    )
    assert inbox() == []


# --- the agenda and the delegations ------------------------------------------------------------

PREFIX = "agenda_items"


def agenda_post(client, visit, rows, existing=()):
    """The agenda form: the `existing` items [(item, changes)] then the new `rows`."""
    url = reverse("visits:agenda_edit", args=[visit.pk])
    shown = client.get(url)
    data = {
        f"{PREFIX}-TOTAL_FORMS": str(len(existing) + len(rows)),
        f"{PREFIX}-INITIAL_FORMS": str(len(existing)),
        "state": input_value(shown, "state"),
    }
    items = []
    for item, changes in existing:
        row = {
            "id": str(item.pk),
            "visit": str(visit.pk),
            "day": item.day.isoformat(),
            "start_time": f"{item.start_time:%H:%M}",
            "end_time": f"{item.end_time:%H:%M}",
            "title": item.title,
            "kind": item.kind,
            "place": item.place,
            "responsible_actor": "",
            "notes": item.notes,
        }
        items.append({**row, **changes})
    items += rows
    for index, row in enumerate(items):
        data.update({f"{PREFIX}-{index}-{name}": value for name, value in row.items()})
    return client.post(url, data)


SITE_VISIT = {
    "day": "2024-05-07",
    "start_time": "10:00",
    "end_time": "11:00",
    "title": "Site visit",
    "kind": "site_visit",
}


def test_an_agenda_item_added_to_an_approved_plan(host, visit, committed):
    response = committed(agenda_post, host, visit, [SITE_VISIT])
    assert response.status_code == 302
    assert messages_of(response) == ["The agenda was saved.", REPLANNED]
    changed = refreshed(visit)
    assert changed.status == Status.SUBMITTED
    assert changed.changes_since_approval == "Agenda item added: 2024-05-07 10:00 Site visit"
    assert inbox() == to(notices.PLAN_CHANGED, "coordinator", "staff-uy")


def test_an_agenda_item_changed_and_one_removed(host, visit, committed):
    opening = visit.agenda_items.get()
    response = committed(
        agenda_post, host, visit, [], existing=[(opening, {"start_time": "08:30"})]
    )
    assert messages_of(response) == ["The agenda was saved.", REPLANNED]
    assert refreshed(visit).changes_since_approval == (
        "Agenda item changed: 2024-05-06 08:30 Opening"
    )

    opening.refresh_from_db()
    response = committed(agenda_post, host, visit, [], existing=[(opening, {"DELETE": "on"})])
    assert response.status_code == 302
    assert refreshed(visit).changes_since_approval.splitlines() == [
        "Agenda item changed: 2024-05-06 08:30 Opening",
        "Agenda item removed: 2024-05-06 08:30 Opening",
    ]
    assert not visit.agenda_items.exists()


def test_the_agenda_saved_unchanged(host, visit, committed):
    opening = visit.agenda_items.get()
    response = committed(agenda_post, host, visit, [], existing=[(opening, {})])
    assert messages_of(response) == ["The agenda was saved."]
    assert refreshed(visit).status == Status.PLANNED
    assert inbox() == []


def test_the_agenda_of_a_draft(demo, client, staff_py, committed):
    visit = new_visit(Status.DRAFT)
    client.force_login(staff_py)
    response = committed(agenda_post, client, visit, [SITE_VISIT])
    assert messages_of(response) == ["The agenda was saved."]
    assert (refreshed(visit).status, refreshed(visit).changes_since_approval) == (Status.DRAFT, "")
    assert inbox() == []


def test_a_delegation_removed_from_an_approved_plan(host, visit, committed):
    chile = Delegation.objects.create(visit=visit, country=country("CL"))
    url = reverse("visits:delegations", args=[visit.pk])
    shown = host.get(url)
    uruguay = visit.delegations.get(country__code="UY")
    data = {
        "state": input_value(shown, "state"),
        "delegations-TOTAL_FORMS": "2",
        "delegations-INITIAL_FORMS": "2",
    }
    for index, delegation in enumerate(sorted([uruguay, chile], key=lambda d: d.pk)):
        data[f"delegations-{index}-id"] = str(delegation.pk)
        data[f"delegations-{index}-visit"] = str(visit.pk)
        data[f"delegations-{index}-country"] = str(delegation.country_id)
        if delegation == chile:
            data[f"delegations-{index}-DELETE"] = "on"
    response = committed(host.post, url, data)
    assert response.status_code == 302
    # (The formset pages say it before "saved": _formset_page runs `then` first.)
    assert sorted(messages_of(response)) == sorted(["The delegations were saved.", REPLANNED])
    assert not visit.delegations.filter(country__code="CL").exists()
    assert refreshed(visit).changes_since_approval == "Delegation removed: Delegation of Chile"
    # Chile's staff no longer see the visit: the delegations left and the coordinator are told.
    assert inbox() == to(notices.PLAN_CHANGED, "coordinator", "staff-uy")
