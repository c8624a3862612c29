"""Who may open which page of the knowledge bank and take which action: every URL of
lessons.urls and the two proposal URLs of the methodology × every role.

The roles: anonymous; ministry staff who wrote the lessons (no focal point); other staff
(no focal point); Paraguay's focal point (staff too); the coordinator; the project team;
and a user without membership. The lessons, all by the author: one published, one draft,
one in review. The demo's version 2 (in consultation) is removed so that proposals land in
a draft version.
"""

from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import get_resolver, reverse

from countries.models import Actor, Membership
from lessons.models import Lesson
from tests.support.html import find
from tests.support.knowledge_bank import shipped_bytes
from visits.methodology.models import Criterion, MethodologyVersion, Phase, RevisionProposal

User = get_user_model()
Status = Lesson.Status

ANONYMOUS, AUTHOR, OTHER, FOCAL, COORDINATOR, TEAM, NEWCOMER = USERS = [
    None,
    "colleague-py",
    "colleague-uy",
    "staff-py",
    "coordinator",
    "projectteam",
    "newcomer",
]
LOGIN = "login"  # sent to the login page

# The URL names covered: every pattern of lessons.urls, and the loop's two of the methodology.
PROPOSAL_URLS = {"methodology:propose", "methodology:proposal_accept"}


def lessons_url_names():
    """The names of every pattern under the "lessons" namespace, from the resolver."""
    _prefix, resolver = get_resolver().namespace_dict["lessons"]
    return {f"lessons:{pattern.name}" for pattern in resolver.url_patterns}


@pytest.fixture
def world(demo):
    MethodologyVersion.objects.exclude(number=1).delete()
    for username, code in [("colleague-py", "PY"), ("colleague-uy", "UY")]:
        colleague = User.objects.create_user(username, email=f"{username}@example.org")
        Membership.objects.create(
            user=colleague,
            actor=Membership.objects.get(user__username=f"staff-{code.lower()}").actor,
            role=Membership.Role.STAFF,
            is_focal_point=False,
        )
    User.objects.create_user("newcomer")
    author = User.objects.get(username=AUTHOR)
    lessons = {
        status: Lesson.objects.create(
            title=f"A lesson {status}",
            status=status,
            created_by=author,
            description="Interpretation for every session.",
        )
        for status in Status.values
    }
    proposal = RevisionProposal.objects.create(
        lesson=lessons[Status.PUBLISHED],
        code="PREP-08",
        phase=Phase.PREPARATION,
        title="Interpretation planned",
        text="Interpretation is budgeted for every session.",
        proposed_by=User.objects.get(username=FOCAL),
    )
    return {
        "published": lessons[Status.PUBLISHED],
        "draft": lessons[Status.DRAFT],
        "review": lessons[Status.IN_REVIEW],
        "proposal": proposal,
    }


def sign_in(client, username):
    if username:
        client.force_login(User.objects.get(username=username))


# --- GET ----------------------------------------------------------------------------------------

# case: (url name, lesson or "", extra); statuses for the USERS, in their order.
GET = {
    #                                anonymous author other focal coord  team  newcomer
    "lessons:lesson_list":            (200,   200,   200,  200,  200,  200,  200),
    "lessons:lesson_create":          (LOGIN, 200,   200,  200,  200,  403,  403),
    "lessons:lesson_import":          (LOGIN, 403,   403,  403,  200,  200,  403),
    "lessons:lesson_detail published": (200,  200,   200,  200,  200,  200,  200),
    "lessons:lesson_detail draft":    (404,   200,   404,  404,  200,  200,  404),
    "lessons:lesson_detail review":   (404,   200,   404,  404,  200,  200,  404),
    "lessons:lesson_export published": (200,  200,   200,  200,  200,  200,  200),
    "lessons:lesson_export draft":    (404,   200,   404,  404,  200,  200,  404),
    "lessons:lesson_update published": (LOGIN, 403,  403,  403,  200,  403,  403),
    "lessons:lesson_update draft":    (LOGIN, 200,   404,  404,  200,  403,  404),
    "lessons:lesson_update review":   (LOGIN, 200,   404,  404,  200,  403,  404),
    "lessons:lesson_transition draft submit": (LOGIN, 405, 405, 405, 405, 405, 405),
    "methodology:propose published":  (LOGIN, 403,   403,  200,  200,  403,  403),
    "methodology:propose draft":      (LOGIN, 403,   403,  404,  200,  403,  403),
    "methodology:proposal_accept":    (LOGIN, 403,   403,  403,  405,  403,  403),
}  # fmt: skip


def url_of(case, world):
    name, *rest = case.split()
    lesson = world[rest[0]] if rest else None
    if name == "lessons:lesson_transition":
        return reverse(name, args=[lesson.pk, rest[1]])
    if name == "methodology:propose":
        return f"{reverse(name)}?lesson={lesson.pk}"
    if name == "methodology:proposal_accept":
        return reverse(name, args=[world["proposal"].pk])
    return reverse(name, args=[lesson.pk] if lesson else [])


def test_every_url_is_in_the_matrix():
    names = {case.split()[0] for case in GET} | {case.split()[0] for case in POST}
    assert lessons_url_names() | PROPOSAL_URLS <= names
    assert lessons_url_names() == {
        "lessons:lesson_list",
        "lessons:lesson_create",
        "lessons:lesson_import",
        "lessons:lesson_detail",
        "lessons:lesson_update",
        "lessons:lesson_export",
        "lessons:lesson_transition",
    }, "a new URL in lessons.urls: add it to GET and POST here"


def status_of(response):
    if response.status_code == 302 and response.url.startswith("/accounts/login/"):
        return LOGIN
    return response.status_code


def snapshot():
    """Everything the knowledge bank's pages and the loop could change."""
    return {
        "lessons": list(
            Lesson.objects.order_by("pk").values_list(
                "pk", "status", "title", "description", "revision", "review_note", "updated_by"
            )
        ),
        "lesson history": Lesson.history.count(),
        "countries of lessons": list(Lesson.countries.through.objects.values_list("pk")),
        "actors": list(Actor.objects.order_by("pk").values_list("pk", "name")),
        "proposals": list(
            RevisionProposal.objects.order_by("pk").values_list("pk", "status", "criterion")
        ),
        "versions": list(MethodologyVersion.objects.order_by("pk").values_list("pk", "status")),
        "criteria": list(
            Criterion.objects.order_by("pk").values_list("pk", "code", "text", "origin_lesson")
        ),
    }


@pytest.mark.parametrize("username", USERS, ids=[str(user) for user in USERS])
def test_get(client, world, username):
    sign_in(client, username)
    before = snapshot()
    column = USERS.index(username)
    statuses = {case: status_of(client.get(url_of(case, world))) for case in GET}
    assert statuses == {case: expected[column] for case, expected in GET.items()}
    assert snapshot() == before


def test_anonymous_is_sent_to_the_login_page_and_back(client, world):
    for case, expected in {**GET, **POST}.items():
        if expected[0] == LOGIN:
            url = url_of(case, world)
            for response in (client.get(url), client.post(url, post_data(case, world))):
                login = urlsplit(response.url)
                assert login.path == "/accounts/login/", case
                assert parse_qs(login.query) == {"next": [url]}, case


def test_unknown_lessons_are_404(client, world):
    sign_in(client, COORDINATOR)
    for name in ["lesson_detail", "lesson_update", "lesson_export"]:
        assert client.get(reverse(f"lessons:{name}", args=[9999])).status_code == 404
    url = reverse("lessons:lesson_transition", args=[9999, "publish"])
    assert client.post(url).status_code == 404
    assert client.get(f"{reverse('methodology:propose')}?lesson=9999").status_code == 404
    assert client.get(f"{reverse('methodology:propose')}?lesson=x").status_code == 404
    assert client.get(reverse("methodology:propose")).status_code == 404  # from nothing
    url = reverse("methodology:proposal_accept", args=[9999])
    assert client.post(url).status_code == 404


# --- POST ---------------------------------------------------------------------------------------


def lesson_form(lesson=None, **changes):
    data = {
        "knowledge_type": "lessons_learnt",
        "title": lesson.title if lesson else "New lesson",
        "language": "en",
        "description": "Changed by a POST.",
        "revision": lesson.revision if lesson else 0,
    }
    data.update(changes)
    return data


def post_data(case, world):
    name, *rest = case.split()
    lesson = world[rest[0]] if rest else None
    if name in ("lessons:lesson_create", "lessons:lesson_update"):
        return lesson_form(lesson)
    if name == "lessons:lesson_import":
        return {"file": SimpleUploadedFile("entry.txt", shipped_bytes())}
    if name == "lessons:lesson_transition" and rest[1] == "return":
        return {"note": "Say more."}
    if name == "methodology:propose":
        return {
            "lesson": lesson.pk,
            "revises": "",
            "code": "PREP-09",
            "phase": Phase.PREPARATION,
            "title": "A new criterion",
            "text": "Drawn from the lesson.",
        }
    return {}


# 302: done, or refused by a rule with a message (then nothing changes either); 200: a form
# or the import's preview (nothing saved).
POST = {
    #                                     anonymous author other focal coord team newcomer
    "lessons:lesson_create":                (LOGIN, 302,   302,  302,  302,  403, 403),
    "lessons:lesson_import":                (LOGIN, 403,   403,  403,  200,  200, 403),
    "lessons:lesson_update published":      (LOGIN, 403,   403,  403,  302,  403, 403),
    "lessons:lesson_update draft":          (LOGIN, 302,   404,  404,  302,  403, 404),
    "lessons:lesson_transition draft submit":     (LOGIN, 302, 404, 404, 302, 403, 404),
    "lessons:lesson_transition draft publish":    (LOGIN, 403, 404, 404, 302, 403, 404),
    "lessons:lesson_transition review publish":   (LOGIN, 403, 404, 404, 302, 403, 404),
    "lessons:lesson_transition review return":    (LOGIN, 403, 404, 404, 302, 403, 404),
    "lessons:lesson_transition published submit": (LOGIN, 403, 403, 403, 302, 403, 403),
    "lessons:lesson_transition published return": (LOGIN, 403, 403, 403, 302, 403, 403),
    "lessons:lesson_transition published delete": (LOGIN, 403, 403, 403, 403, 403, 403),
    "methodology:propose published":        (LOGIN, 403,   403,  302,  302,  403, 403),
    "methodology:propose draft":            (LOGIN, 403,   403,  404,  302,  403, 403),
    "methodology:proposal_accept":          (LOGIN, 403,   403,  403,  302,  403, 403),
}  # fmt: skip
# Allowed, and they change something (the others are refused by a rule, or show a page).
CHANGES = {
    "lessons:lesson_create",
    "lessons:lesson_update published",
    "lessons:lesson_update draft",
    "lessons:lesson_transition draft submit",
    "lessons:lesson_transition draft publish",
    "lessons:lesson_transition review publish",
    "lessons:lesson_transition review return",
    "lessons:lesson_transition published return",
    "methodology:propose published",
    "methodology:propose draft",
    "methodology:proposal_accept",
}


@contextmanager
def undone():
    """Whatever the block changes in the database is rolled back at its end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("username", USERS, ids=[str(user) for user in USERS])
def test_post(client, world, username):
    sign_in(client, username)
    column = USERS.index(username)
    for case, expected in POST.items():
        with undone():  # each action on the same starting point
            before = snapshot()
            response = client.post(url_of(case, world), post_data(case, world))
            assert status_of(response) == expected[column], case
            if expected[column] in (LOGIN, 403, 404, 405):
                assert snapshot() == before, case
            elif case in CHANGES:
                assert snapshot() != before, case
            else:
                assert snapshot() == before, case  # a preview, or refused with a message


def test_a_submit_by_the_coordinator_of_a_published_lesson_changes_nothing(client, world):
    sign_in(client, COORDINATOR)
    before = snapshot()
    response = client.post(url_of("lessons:lesson_transition published submit", world))
    assert response.status_code == 302
    assert snapshot() == before


def test_confirming_an_import_is_for_who_may_import(client, world):
    """The second step of the import, with a preview in the session of a user who lost the
    right meanwhile, saves nothing."""
    sign_in(client, COORDINATOR)
    preview = client.post(
        reverse("lessons:lesson_import"), post_data("lessons:lesson_import", world)
    )
    (button,) = find(preview, "button", name="confirm")
    Membership.objects.filter(user__username=COORDINATOR).update(role=Membership.Role.STAFF)
    before = snapshot()
    response = client.post(reverse("lessons:lesson_import"), {"confirm": button["value"]})
    assert response.status_code == 403
    assert snapshot() == before


# --- buttons ------------------------------------------------------------------------------------


def offered(client, url):
    """The addresses a page links to or sends forms to."""
    response = client.get(url)
    assert response.status_code == 200
    return {a.get("href") for a in find(response, "a")} | {
        form.get("action") for form in find(response, "form")
    }


def actions_of(world, lesson):
    return {
        "edit": reverse("lessons:lesson_update", args=[lesson.pk]),
        "submit": reverse("lessons:lesson_transition", args=[lesson.pk, "submit"]),
        "publish": reverse("lessons:lesson_transition", args=[lesson.pk, "publish"]),
        "return": reverse("lessons:lesson_transition", args=[lesson.pk, "return"]),
        "propose": f"{reverse('methodology:propose')}?lesson={lesson.pk}",
    }


# What the detail page offers, per user and lesson.
BUTTONS = {
    (AUTHOR, "draft"): {"edit", "submit"},
    (AUTHOR, "review"): {"edit"},
    (AUTHOR, "published"): set(),
    (OTHER, "published"): set(),
    (FOCAL, "published"): {"propose"},
    (COORDINATOR, "draft"): {"edit", "submit", "publish", "propose"},
    (COORDINATOR, "review"): {"edit", "publish", "return", "propose"},
    (COORDINATOR, "published"): {"edit", "return", "propose"},
    (TEAM, "draft"): set(),
    (TEAM, "published"): set(),
    (ANONYMOUS, "published"): set(),
}


@pytest.mark.parametrize("username, which", list(BUTTONS), ids=str)
def test_the_detail_page_offers_only_what_the_user_may_do(client, world, username, which):
    sign_in(client, username)
    lesson = world[which]
    actions = actions_of(world, lesson)
    targets = offered(client, reverse("lessons:lesson_detail", args=[lesson.pk]))
    assert {name for name, url in actions.items() if url in targets} == BUTTONS[username, which]


@pytest.mark.parametrize("username", USERS, ids=[str(user) for user in USERS])
def test_the_list_offers_writing_and_importing_to_who_may(client, world, username):
    sign_in(client, username)
    targets = offered(client, reverse("lessons:lesson_list"))
    column = USERS.index(username)
    may_write = GET["lessons:lesson_create"][column] == 200
    may_import = GET["lessons:lesson_import"][column] == 200
    assert (reverse("lessons:lesson_create") in targets) == may_write
    assert (reverse("lessons:lesson_import") in targets) == may_import


@pytest.mark.parametrize("username", [FOCAL, COORDINATOR, OTHER, TEAM])
def test_suggestions_are_accepted_only_by_the_coordinator(client, world, username):
    sign_in(client, username)
    response = client.get(reverse("methodology:version_list"))
    accept = reverse("methodology:proposal_accept", args=[world["proposal"].pk])
    forms = {form.get("action") for form in find(response, "form")}
    assert (accept in forms) == (username == COORDINATOR)
