"""Access to the visits beyond the permission matrix (tests/support/permission_matrix.py has
every URL × every kind of user, each action with valid input): another delegation's part,
objects of another visit, approving and closing, what the visit page offers each user, and
which visits the lists show.

The visit: Paraguay hosts Uruguay, conducted, with everything systematisation needs. Paraguay's
staff are the host, Uruguay's the visitors, Brazil's take no part: they may not see the visit
at all (404), while who sees it but may not do something gets 403.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from countries.models import Country
from tests.support.html import find, text
from tests.support.permission_matrix import (
    post_evaluation,
    post_finding_update,
    post_participants,
)
from tests.support.worlds import conducted_visit
from visits.models import (
    AgendaItem,
    Attachment,
    BudgetLine,
    ComplianceCheck,
    Delegation,
    Evaluation,
    Finding,
    Participant,
    Visit,
)

User = get_user_model()

POST_OF = {
    "participants": post_participants,
    "finding_update": post_finding_update,
    "evaluation": post_evaluation,
}


def country(code):
    return Country.objects.get(code=code)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(demo):
    """The conducted visit and the objects its pages work on, with a finding of the host."""
    world = conducted_visit(uploader=User.objects.get(username="staff-py"))
    world["host_finding"] = Finding.objects.create(
        visit=world["visit"],
        delegation=world["host"],
        kind=Finding.Kind.CHALLENGE,
        title="Coordination across levels of government",
        text="Agreements with municipalities are renewed yearly.",
    )
    return world


def url_of(name, world):
    pk = world["visit"].pk
    args = {"restore": [pk, world["record"].history_id]}.get(name, [pk])
    return reverse(f"visits:{name}", args=args)


def snapshot():
    """Everything an action on a visit could change."""

    def rows(model, *fields):
        return list(model.objects.order_by("pk").values_list("pk", *fields))

    return {
        "visits": rows(Visit, "title", "objectives", "status", "revision", "host_country"),
        "host actors": rows(Visit.host_actors.through, "visit", "actor"),
        "delegations": rows(Delegation, "visit", "country"),
        "participants": rows(Participant, "delegation", "person", "role"),
        "agenda": rows(AgendaItem, "day", "start_time", "title"),
        "findings": rows(Finding, "title", "text", "follow_up_status", "host_response"),
        "evaluations": rows(Evaluation, "preparation", "relevance"),
        "budget": rows(BudgetLine, "category", "planned"),
        "compliance": rows(ComplianceCheck, "criterion", "status"),
        "attachments": rows(Attachment, "title"),
        "visit history": Visit.history.count(),
    }


def sign_in(client, username):
    client.force_login(User.objects.get(username=username))


# --- the other delegation's part ----------------------------------------------------------------


@pytest.mark.parametrize(
    "username, name, target",
    [
        ("staff-py", "participants", "uruguay"),
        ("staff-uy", "participants", "host"),
        ("staff-py", "finding_update", "recommendation"),
        ("staff-uy", "finding_update", "host_finding"),
        ("staff-py", "evaluation", "lucia"),
        ("staff-uy", "evaluation", "carlos"),
    ],
)
def test_the_other_delegations_part_is_403(client, world, username, name, target):
    sign_in(client, username)
    url = reverse(f"visits:{name}", args=[world["visit"].pk, world[target].pk])
    before = snapshot()
    assert client.get(url).status_code == 403
    assert client.post(url, POST_OF[name](world, username)).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "name, target",
    [("participants", "host"), ("finding_update", "host_finding"), ("evaluation", "carlos")],
)
def test_the_host_edits_its_own_delegations_part(client, world, name, target):
    sign_in(client, "staff-py")
    url = reverse(f"visits:{name}", args=[world["visit"].pk, world[target].pk])
    assert client.get(url).status_code == 200


def test_objects_of_another_visit_are_404(client, world):
    other = Visit.objects.create(host_country=country("PY"), title="Another visit")
    sign_in(client, "coordinator")
    for name, target in [
        ("participants", "uruguay"),
        ("finding_update", "recommendation"),
        ("finding_follow_up", "recommendation"),
        ("evaluation", "lucia"),
        ("attachment_download", "attachment"),
    ]:
        url = reverse(f"visits:{name}", args=[other.pk, world[target].pk])
        assert client.get(url).status_code == 404, name
    url = reverse("visits:restore", args=[other.pk, world["record"].history_id])
    before = snapshot()
    assert client.post(url).status_code == 404
    assert snapshot() == before


# --- approving and closing --------------------------------------------------------------------

WHO_MAY_SEE = [("staff-py", 403), ("staff-uy", 403), ("projectteam", 403), ("staff-br", 404)]


@pytest.fixture
def submitted(world):
    """The visit, back to a submitted plan, complete."""
    visit = world["visit"]
    Visit.objects.filter(pk=visit.pk).update(
        status=Visit.Status.SUBMITTED, methodology_version=None
    )
    return visit


@pytest.mark.parametrize("username, status", WHO_MAY_SEE)
def test_only_the_coordinator_approves(client, submitted, username, status):
    sign_in(client, username)
    before = snapshot()
    url = reverse("visits:transition", args=[submitted.pk, "approve"])
    assert client.post(url).status_code == status
    assert snapshot() == before


def test_the_coordinator_approves(client, submitted):
    sign_in(client, "coordinator")
    client.post(reverse("visits:transition", args=[submitted.pk, "approve"]))
    assert Visit.objects.get(pk=submitted.pk).status == Visit.Status.PLANNED


@pytest.fixture
def systematised(world):
    visit = world["visit"]
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.SYSTEMATISED)
    return visit


@pytest.mark.parametrize("username, status", WHO_MAY_SEE)
def test_only_the_coordinator_closes(client, systematised, username, status):
    sign_in(client, username)
    before = snapshot()
    url = reverse("visits:transition", args=[systematised.pk, "close"])
    assert client.post(url).status_code == status
    assert snapshot() == before


def test_the_coordinator_closes(client, systematised):
    sign_in(client, "coordinator")
    url = reverse("visits:transition", args=[systematised.pk, "close"])
    # Without the confirmation, only the page that asks for it.
    assert client.post(url).status_code == 200
    assert Visit.objects.get(pk=systematised.pk).status == Visit.Status.SYSTEMATISED
    client.post(url, {"confirmed": "yes"})
    assert Visit.objects.get(pk=systematised.pk).status == Visit.Status.CLOSED


def test_the_coordinator_restores_an_earlier_state(client, world):
    sign_in(client, "coordinator")
    client.post(url_of("restore", world))
    visit = Visit.objects.get(pk=world["visit"].pk)
    assert visit.title == "Care services in the territory"
    assert visit.status == Visit.Status.CONDUCTED  # the workflow is not rewound


# --- buttons ----------------------------------------------------------------------------------


def buttons(world):
    """The actions of the visit page, by what they do."""
    pk = world["visit"].pk

    def url(name, *args):
        return reverse(f"visits:{name}", args=[pk, *args])

    return {
        "edit the plan": url("visit_update"),
        "edit the delegations": url("delegations"),
        "participants of Paraguay": url("participants", world["host"].pk),
        "participants of Uruguay": url("participants", world["uruguay"].pk),
        "edit the agenda": url("agenda_edit"),
        "add a finding": url("finding_create"),
        "edit Paraguay's finding": url("finding_update", world["host_finding"].pk),
        "edit Uruguay's finding": url("finding_update", world["recommendation"].pk),
        "follow up": url("finding_follow_up", world["recommendation"].pk),
        "evaluation of Carlos": url("evaluation", world["carlos"].pk),
        "evaluation of Lucía": url("evaluation", world["lucia"].pk),
        "edit the budget": url("budget"),
        "fill the checklist": url("compliance"),
        "attach a file": url("attachment_upload"),
        "delete the attachment": url("attachment_delete", world["attachment"].pk),
        "systematise": url("transition", "systematise"),
        "history": url("history"),
        "download the attachment": url("attachment_download", world["attachment"].pk),
        "printable agenda": url("agenda"),
        "calendar": url("agenda_ics"),
    }


def offered(client, url, world):
    """What the page offers as links or forms, by name."""
    response = client.get(url)
    assert response.status_code == 200
    targets = {a.get("href") for a in find(response, "a")} | {
        form.get("action") for form in find(response, "form")
    }
    return {name for name, target in buttons(world).items() if target in targets}


EVERYONE = {"history", "download the attachment", "printable agenda", "calendar"}
OFFERED = {
    "staff-py": EVERYONE
    | {
        "edit the plan",
        "edit the delegations",
        "participants of Paraguay",
        "edit the agenda",
        "add a finding",
        "edit Paraguay's finding",
        "follow up",
        "evaluation of Carlos",
        "edit the budget",
        "fill the checklist",
        "attach a file",
        "systematise",
    },
    "staff-uy": EVERYONE
    | {
        "participants of Uruguay",
        "add a finding",
        "edit Uruguay's finding",
        "evaluation of Lucía",
        "attach a file",
    },
    "projectteam": EVERYONE,
}


@pytest.mark.parametrize("username", ["staff-py", "staff-uy", "coordinator", "projectteam"])
def test_the_visit_page_offers_only_what_the_user_may_do(client, world, username):
    sign_in(client, username)
    expected = OFFERED.get(username, set(buttons(world)))  # the coordinator: everything
    assert offered(client, world["visit"].get_absolute_url(), world) == expected


@pytest.mark.parametrize("username", ["staff-py", "staff-uy", "coordinator", "projectteam"])
def test_approve_button_only_for_the_coordinator(client, submitted, username):
    sign_in(client, username)
    page = client.get(submitted.get_absolute_url())
    # Cancelling is confirmed on a page of its own: the visit page links to it.
    actions = {form.get("action") for form in find(page, "form")}
    actions |= {link.get("href") for link in find(page, "a")}
    forms = {
        name
        for name in ("approve", "return", "cancel", "submit")
        if reverse("visits:transition", args=[submitted.pk, name]) in actions
    }
    expected = {"staff-py": {"cancel"}, "coordinator": {"approve", "return", "cancel"}}
    assert forms == expected.get(username, set())
    assert ("Approve the plan" in text(page)) == (username == "coordinator")


@pytest.mark.parametrize("username", ["staff-py", "coordinator", "projectteam"])
def test_restore_buttons_only_for_the_coordinator(client, world, username):
    sign_in(client, username)
    page = client.get(url_of("history", world))
    restore = {form.get("action") for form in find(page, "form")} & {url_of("restore", world)}
    assert bool(restore) == (username == "coordinator")


@pytest.mark.parametrize("username", ["staff-py", "staff-uy", "coordinator", "projectteam"])
def test_closed_visit_page_offers_only_the_follow_up(client, world, username):
    Visit.objects.filter(pk=world["visit"].pk).update(status=Visit.Status.CLOSED)
    sign_in(client, username)
    extra = {"staff-py": {"follow up"}, "coordinator": {"follow up", "delete the attachment"}}
    assert offered(client, world["visit"].get_absolute_url(), world) == EVERYONE | extra.get(
        username, set()
    )


# --- lists ------------------------------------------------------------------------------------


@pytest.fixture
def three_visits(world):
    """Paraguay hosts Uruguay (the world's visit); Brazil hosts Chile; Colombia, nobody yet."""
    brazil = Visit.objects.create(host_country=country("BR"), title="Financing care")
    Delegation.objects.create(visit=brazil, country=country("CL"))
    Visit.objects.create(host_country=country("CO"), title="Caregivers in Medellín")


ALL_THREE = {
    "Care services in the territory of Paraguay",
    "Financing care",
    "Caregivers in Medellín",
}


@pytest.mark.parametrize(
    "username, titles",
    [
        ("staff-py", {"Care services in the territory of Paraguay"}),
        ("staff-uy", {"Care services in the territory of Paraguay"}),
        ("staff-br", {"Financing care"}),
        ("staff-cl", {"Financing care"}),
        ("staff-co", {"Caregivers in Medellín"}),
        ("staff-cr", set()),
        ("coordinator", ALL_THREE),
        ("projectteam", ALL_THREE),
    ],
)
def test_the_list_shows_only_visits_the_user_may_see(client, three_visits, username, titles):
    sign_in(client, username)
    response = client.get(reverse("visits:visit_list"))
    assert {visit.title for visit in response.context["visits"]} == titles
    assert ("Plan a visit" in text(response)) == (username != "projectteam")
    # The programme's figures count the same visits.
    figures = client.get(reverse("visits:programme_figures")).context["figures"]
    assert figures.visits == len(titles)
