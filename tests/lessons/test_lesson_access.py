"""Access to the knowledge bank beyond the permission matrix (tests/support/permission_matrix.py
has every URL × every kind of user, each transition and form posted): unknown lessons, the
loop's proposals when no version is in consultation, the import's second step, and what the
pages offer each user.

The roles: anonymous; ministry staff who wrote the lessons (no focal point); other staff
(no focal point); Paraguay's focal point (staff too); the coordinator; the project team;
and a user without membership. The lessons, all by the author: one published, one draft,
one in review. The demo's version 2 (in consultation) is removed so that proposals land in
a draft version.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

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


# --- the loop and the import ---------------------------------------------------------------


def proposal_of(lesson, code):
    return {
        "lesson": lesson.pk,
        "revises": "",
        "code": code,
        "phase": Phase.PREPARATION,
        "title": "A new criterion",
        "text": "Drawn from the lesson.",
    }


def the_shipped_entry():
    return {"file": SimpleUploadedFile("entry.txt", shipped_bytes())}


def test_with_no_version_in_consultation_the_coordinator_proposes_and_accepts(client, world):
    sign_in(client, COORDINATOR)
    for which, code in (("published", "PREP-09"), ("draft", "PREP-10")):
        before = snapshot()
        url = f"{reverse('methodology:propose')}?lesson={world[which].pk}"
        proposal = proposal_of(world[which], code)
        assert client.post(url, proposal).status_code == 302, which
        assert snapshot() != before, which
    before = snapshot()
    url = reverse("methodology:proposal_accept", args=[world["proposal"].pk])
    assert client.post(url).status_code == 302
    assert snapshot() != before
    assert RevisionProposal.objects.get(pk=world["proposal"].pk).criterion is not None


def test_confirming_an_import_is_for_who_may_import(client, world):
    """The second step of the import, with a preview in the session of a user who lost the
    right meanwhile, saves nothing."""
    sign_in(client, COORDINATOR)
    preview = client.post(reverse("lessons:lesson_import"), the_shipped_entry())
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
    may_write = username in (AUTHOR, OTHER, FOCAL, COORDINATOR)
    may_import = username in (COORDINATOR, TEAM)
    assert (reverse("lessons:lesson_create") in targets) == may_write
    assert (reverse("lessons:lesson_import") in targets) == may_import


@pytest.mark.parametrize("username", [FOCAL, COORDINATOR, OTHER, TEAM])
def test_suggestions_are_accepted_only_by_the_coordinator(client, world, username):
    sign_in(client, username)
    response = client.get(reverse("methodology:version_list"))
    accept = reverse("methodology:proposal_accept", args=[world["proposal"].pk])
    forms = {form.get("action") for form in find(response, "form")}
    assert (accept in forms) == (username == COORDINATOR)
