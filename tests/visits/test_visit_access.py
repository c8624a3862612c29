"""Who may open which visit page and take which action: every URL of the visits × every role.

The visit: Paraguay hosts Uruguay, conducted, with everything systematisation needs (so the
transition of the matrix, "systematise", goes through when allowed). Paraguay's staff are
the host, Uruguay's the visitors, Brazil's take no part: they may not see the visit at all
(404), while who sees it but may not do something gets 403.
"""

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import get_resolver, reverse

from core.concurrency import fingerprint
from countries.models import Actor, Country, Person
from tests.support.html import find, text
from tests.support.worlds import PDF, conducted_visit
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
from visits.views.agenda import agenda_state

User = get_user_model()


READ = "read"  # whoever may see the visit
CREATE = "create"  # ministry staff (for their own country) and the coordinator
HOST = "host"  # staff of the host country and the coordinator
TAKE_PART = "take part"  # staff of the host or of a visiting country, and the coordinator
OWN = "own delegation"  # staff of the delegation's country (here Uruguay's) and the coordinator
COORDINATE = "coordinate"  # the coordinator only

# url name: who may use it
PAGES = {
    "visit_list": READ,
    "programme_figures": READ,
    "recommendations": READ,
    "visit_detail": READ,
    "agenda": READ,
    "agenda_ics": READ,
    "attachment_download": READ,
    "history": READ,
    "visit_create": CREATE,
    "visit_update": HOST,
    "delegations": HOST,
    "agenda_edit": HOST,
    "budget": HOST,
    "compliance": HOST,
    "finding_follow_up": HOST,
    "transition": HOST,
    "finding_create": TAKE_PART,
    "attachment_upload": TAKE_PART,
    "participants": OWN,
    "finding_update": OWN,
    "evaluation": OWN,
    "attachment_delete": COORDINATE,
    "restore": COORDINATE,
}
# Pages about no particular visit: staff of every country open them.
NOT_OF_A_VISIT = {"visit_list", "programme_figures", "recommendations", "visit_create"}
# Actions that answer only POST (a GET gets 405).
POST_ONLY = {"transition", "attachment_upload", "attachment_delete", "restore"}
ACTIONS = sorted(name for name, access in PAGES.items() if access != READ)

USERS = ["staff-py", "staff-uy", "staff-br", "coordinator", "projectteam"]
ALLOWED = {
    READ: set(USERS),
    CREATE: {"staff-py", "staff-uy", "staff-br", "coordinator"},
    HOST: {"staff-py", "coordinator"},
    TAKE_PART: {"staff-py", "staff-uy", "coordinator"},
    OWN: {"staff-uy", "coordinator"},
    COORDINATE: {"coordinator"},
}


def test_every_url_is_in_the_matrix():
    _prefix, visits = get_resolver().namespace_dict["visits"]
    assert {pattern.name for pattern in visits.url_patterns} == set(PAGES)


def country(code):
    return Country.objects.get(code=code)


def person(name):
    return Person.objects.get(name=name)


def ministry(code):
    return Actor.objects.filter(country__code=code, is_partner=True).get()


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
    args = {
        "visit_list": [],
        "programme_figures": [],
        "recommendations": [],
        "visit_create": [],
        "participants": [pk, world["uruguay"].pk],
        "finding_update": [pk, world["recommendation"].pk],
        "finding_follow_up": [pk, world["recommendation"].pk],
        "evaluation": [pk, world["lucia"].pk],
        "attachment_download": [pk, world["attachment"].pk],
        "attachment_delete": [pk, world["attachment"].pk],
        "transition": [pk, "systematise"],
        "restore": [pk, world["record"].history_id],
    }.get(name, [pk])
    return reverse(f"visits:{name}", args=args)


def formset(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    return data


STAFF_COUNTRY = {"staff-py": "PY", "staff-uy": "UY", "staff-br": "BR"}


def post_data(name, world, username):
    """Valid input for the action, as its page would send it, that changes something."""
    visit, recommendation = world["visit"], world["recommendation"]
    if name == "visit_create":
        host = country(STAFF_COUNTRY.get(username, "CL"))
        return {"host_country": host.pk, "title": "Another visit"}
    if name == "visit_update":
        return {
            "title": "A new title",
            "objectives": visit.objectives,
            "start_date": "2024-05-06",
            "end_date": "2024-05-08",
            "revision": visit.revision,
        }
    if name == "delegations":
        shown = visit.delegations.filter(is_host=False).values_list("pk", "country_id", "actors")
        return {
            "state": fingerprint(shown),
            **formset("delegations", [{"country": country("CL").pk}]),
        }
    if name == "participants":
        martin = person("Martín Fernández").pk
        return {
            "state": fingerprint(world["uruguay"].participants.all()),
            **formset("participants", [{"person": martin, "role": "technical"}]),
        }
    if name == "agenda_edit":
        item = {"day": "2024-05-07", "start_time": "10:00", "end_time": "11:00"}
        return {
            "state": agenda_state(visit),
            **formset("agenda_items", [{**item, "title": "Site visit", "kind": "site_visit"}]),
        }
    if name == "budget":
        line = {"category": "venue", "planned": "300", "currency": "USD"}
        return {"state": fingerprint(visit.budget_lines.all()), **formset("budget_lines", [line])}
    if name == "compliance":
        criteria = visit.methodology_version.criteria.all()
        rows = [{"criterion_id": c.pk, "status": "met", "note": ""} for c in criteria]
        rows[0]["status"] = "not_met"
        return {
            "state": fingerprint(visit.compliance_checks.all()),
            **formset("form", rows, initial=len(rows)),
        }
    if name == "finding_create":
        author = world["uruguay"] if username == "staff-uy" else world["host"]
        return {"delegation": author.pk, "kind": "best_practice", "title": "New", "text": "New."}
    if name == "finding_update":
        return {
            "delegation": recommendation.delegation_id,
            "kind": recommendation.kind,
            "title": recommendation.title,
            "text": "Publish them in Spanish and Portuguese.",
            "revision": recommendation.revision,
        }
    if name == "finding_follow_up":
        return {
            "follow_up_status": "accepted",
            "host_response": "Agreed.",
            "revision": recommendation.revision,
        }
    if name == "evaluation":
        shown = Evaluation.objects.filter(participant=world["lucia"]).first()
        ratings = {"preparation": 2, "relevance": 2, "exchange_quality": 2, "use_of_time": 2}
        return {**ratings, "revision": shown.revision if shown else 0}
    if name == "attachment_upload":
        return {
            "attachment-kind": "document",
            "attachment-title": "Minutes",
            "attachment-file": SimpleUploadedFile("minutes.pdf", PDF),
        }
    return {}


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


def expected_get(name, username):
    if name in POST_ONLY:
        return 405
    if username == "staff-br" and name not in NOT_OF_A_VISIT:
        return 404
    return 200 if username in ALLOWED[PAGES[name]] else 403


def expected_post(name, username):
    if username == "staff-br" and name not in NOT_OF_A_VISIT:
        return 404
    return 302 if username in ALLOWED[PAGES[name]] else 403


@contextmanager
def undone():
    """Whatever the block changes in the database is rolled back at its end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- the matrix -------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, world):
    before = snapshot()
    for name in PAGES:
        url = url_of(name, world)
        for response in (client.get(url), client.post(url, post_data(name, world, ""))):
            assert response.status_code == 302, name
            assert response.url == f"/accounts/login/?next={url}", name
    assert snapshot() == before


@pytest.mark.parametrize("username", USERS)
def test_get(client, world, username):
    sign_in(client, username)
    before = snapshot()
    statuses = {name: client.get(url_of(name, world)).status_code for name in PAGES}
    assert statuses == {name: expected_get(name, username) for name in PAGES}
    assert snapshot() == before


@pytest.mark.parametrize("username", USERS)
def test_post(client, world, username):
    sign_in(client, username)
    for name in ACTIONS:
        with undone():  # each action on the same starting point
            before = snapshot()
            response = client.post(url_of(name, world), post_data(name, world, username))
            assert response.status_code == expected_post(name, username), name
            if response.status_code == 302:
                assert snapshot() != before, f"{name} changed nothing"
            else:
                assert snapshot() == before, name


def test_user_without_membership_sees_no_visit(client, world):
    client.force_login(User.objects.create_user("newcomer"))
    before = snapshot()
    for name in PAGES:
        url = url_of(name, world)
        # Refused: 403, or 404 from the pages that look for the visit first.
        assert client.get(url).status_code in ({405} if name in POST_ONLY else {403, 404}), name
        if name in ACTIONS:
            assert client.post(url, post_data(name, world, "")).status_code in {403, 404}, name
    assert snapshot() == before


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
    assert client.post(url, post_data(name, world, username)).status_code == 403
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
    """The visit, back to a submitted draft with a complete plan."""
    visit = world["visit"]
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.DRAFT, methodology_version=None)
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
    client.post(reverse("visits:transition", args=[systematised.pk, "close"]))
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
    actions = {form.get("action") for form in find(page, "form")}
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
