"""Access to the methodology beyond the permission matrix (tests/support/permission_matrix.py
has every URL × every kind of user, each action posted with valid input): what the allowed
actions did, answers for another country, unknown versions and criteria, and the buttons.

The pages work on the demo data (version 1 adopted, version 2 in consultation) and on a
draft, version 3. The workflow allows one version in progress at a time; the matrix needs a
draft beside the consultation, so the draft is created directly.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from countries.models import Country, Membership
from tests.support.html import find
from tests.support.permission_matrix import post_answer, post_criterion_update
from visits.methodology.models import (
    ConsultationComment,
    Criterion,
    CriterionComment,
    Endorsement,
    MethodologyVersion,
    Phase,
)

User = get_user_model()

READ = "read"  # every signed-in member
COORDINATE = "coordinate"  # the coordinator only
ANSWER = "answer"  # focal points, for their country
COMMENT = "comment"  # ministry staff and the coordinator

# url name: who may use it
PAGES = {
    "adopted": READ,
    "version_list": READ,
    "version_detail": READ,
    "history": READ,
    "version_create": COORDINATE,
    "version_update": COORDINATE,
    "criterion_create": COORDINATE,
    "criterion_update": COORDINATE,
    "criterion_retire": COORDINATE,
    "criterion_move": COORDINATE,
    "open_consultation": COORDINATE,
    "adopt": COORDINATE,
    "send_reminder": COORDINATE,
    "return_to_draft": COORDINATE,
    "restore": COORDINATE,
    "answer": ANSWER,
    "comment": COMMENT,
}
# Actions that answer only POST (a GET by someone allowed gets 405).
POST_ONLY = {
    "version_create",
    "criterion_retire",
    "criterion_move",
    "send_reminder",
    "restore",
    "comment",
}
ACTIONS = sorted(name for name, access in PAGES.items() if access != READ)

# Staff who is no focal point, the focal point of another country (Uruguay), Paraguay's
# focal point, the coordinator, the project team.
USERS = ["colleague-py", "staff-uy", "staff-py", "coordinator", "projectteam"]
ALLOWED = {
    READ: set(USERS),
    COORDINATE: {"coordinator"},
    ANSWER: {"staff-uy", "staff-py"},
    COMMENT: {"colleague-py", "staff-uy", "staff-py", "coordinator"},
}


@pytest.fixture
def world(demo):
    """The demo, a draft version 3 with two criteria, and a Paraguayan colleague."""
    paraguay = Membership.objects.get(user__username="staff-py").actor
    colleague = User.objects.create_user("colleague-py", email="colleague@example.org")
    Membership.objects.create(
        user=colleague, actor=paraguay, role=Membership.Role.STAFF, is_focal_point=False
    )
    v1 = MethodologyVersion.objects.get(number=1)
    draft = MethodologyVersion.objects.create(number=3, previous=v1)
    first = Criterion.objects.create(
        version=draft, code="PLAN-01", phase=Phase.PLANNING, title="Objectives", text="Joint."
    )
    Criterion.objects.create(
        version=draft, code="PLAN-02", phase=Phase.PLANNING, title="Delegations", text="Mixed."
    )
    return {
        "v1": v1,
        "v2": MethodologyVersion.objects.get(number=2),
        "draft": draft,
        "criterion": first,
        "record": Criterion.history.get(id=first.pk, history_type="+"),
    }


def url_of(name, world):
    """The address of the page, on the version in the state the page works on."""
    v2, draft = world["v2"].number, world["draft"].number
    criterion = world["criterion"].pk
    args = {
        "adopted": [],
        "version_list": [],
        "version_create": [],
        "version_detail": [v2],
        "history": [v2],
        "version_update": [draft],
        "criterion_create": [draft],
        "criterion_update": [draft, criterion],
        "criterion_retire": [draft, criterion],
        "criterion_move": [draft, criterion, "down"],
        "open_consultation": [draft],
        "restore": [draft, world["record"].history_id],
        "answer": [v2],
        "comment": [v2],
        "adopt": [v2],
        "send_reminder": [v2],
        "return_to_draft": [v2],
    }[name]
    return reverse(f"methodology:{name}", args=args)


def snapshot():
    """Everything an action of the methodology could change."""
    return {
        "versions": list(
            MethodologyVersion.objects.order_by("pk").values_list(
                "number", "status", "summary", "revision", "consultation_round", "return_note"
            )
        ),
        "criteria": list(
            Criterion.objects.order_by("pk").values_list(
                "pk", "version__number", "code", "title", "text", "order", "revision"
            )
        ),
        "criteria history": Criterion.history.count(),
        "answers": list(
            Endorsement.objects.order_by("pk").values_list(
                "pk", "answer", "comment", "revision", "given_by__username"
            )
        ),
        "criterion comments": list(CriterionComment.objects.values_list("pk", "text")),
        "comments": list(ConsultationComment.objects.values_list("pk", "text")),
    }


def sign_in(client, username):
    client.force_login(User.objects.get(username=username))


# --- what the allowed actions did -----------------------------------------------------------


def test_focal_points_answer_for_their_own_country(client, world):
    sign_in(client, "staff-uy")
    response = client.post(url_of("answer", world), post_answer(world, "staff-uy"))
    assert response.status_code == 302
    uruguay = Endorsement.objects.get(version=world["v2"], country__code="UY")
    assert (uruguay.revision, uruguay.given_by.username) == (2, "staff-uy")


def test_a_focal_point_cannot_answer_for_another_country(client, world):
    sign_in(client, "staff-uy")
    before = snapshot()
    data = post_answer(world, "staff-py")  # Paraguay's answer, in Uruguay's hands
    data["answer"] = Endorsement.Answer.OBJECT
    data["comment"] = "Uruguay speaking for Paraguay."
    response = client.post(url_of("answer", world), data)
    assert response.status_code == 200
    assert response.context["form"].errors["country"]
    assert snapshot() == before


def test_comments_by_staff_who_are_no_focal_point(client, world):
    sign_in(client, "colleague-py")
    response = client.post(url_of("comment", world), {"text": "A remark.", "criterion": ""})
    assert response.status_code == 302
    (comment,) = ConsultationComment.objects.all()
    assert (comment.author.username, comment.text) == ("colleague-py", "A remark.")


# --- unknown objects --------------------------------------------------------------------------

NUMBERED = [name for name in PAGES if name not in ("adopted", "version_list", "version_create")]


def url_with_number(name, world, number):
    url = url_of(name, world)
    return url.replace(f"/versions/{url.split('/')[3]}/", f"/versions/{number}/", 1)


def test_unknown_version_is_404(client, world):
    for name in NUMBERED:
        sign_in(client, "staff-py" if PAGES[name] == ANSWER else "coordinator")
        url = url_with_number(name, world, 99)
        assert url.startswith("/methodology/versions/99/")
        response = client.post(url) if name in POST_ONLY else client.get(url)
        assert response.status_code == 404, name


@pytest.mark.parametrize("username", USERS)
def test_unknown_version_is_404_for_readers(client, world, username):
    sign_in(client, username)
    for name in ("version_detail", "history"):
        assert client.get(url_with_number(name, world, 99)).status_code == 404


@pytest.mark.parametrize("name", ["criterion_update", "criterion_retire", "criterion_move"])
def test_criterion_of_another_version_is_404(client, world, name):
    sign_in(client, "coordinator")
    before = snapshot()
    elsewhere = Criterion.objects.get(version=world["v1"], code="PLAN-03")
    args = [world["draft"].number, elsewhere.pk] + (["up"] if name == "criterion_move" else [])
    url = reverse(f"methodology:{name}", args=args)
    assert client.get(url).status_code == (404 if name == "criterion_update" else 405)
    assert client.post(url, post_criterion_update(world, "coordinator")).status_code == 404
    assert snapshot() == before


def test_restoring_a_record_of_another_version_is_404(client, world):
    sign_in(client, "coordinator")
    before = snapshot()
    record = Criterion.history.filter(version_id=world["v1"].pk).first()
    url = reverse("methodology:restore", args=[world["draft"].number, record.history_id])
    assert client.post(url).status_code == 404
    assert snapshot() == before


def test_a_direction_other_than_up_or_down_is_refused(client, world):
    sign_in(client, "coordinator")
    before = snapshot()
    url = reverse(
        "methodology:criterion_move",
        args=[world["draft"].number, world["criterion"].pk, "sideways"],
    )
    assert client.post(url).status_code == 403
    assert snapshot() == before


# --- buttons --------------------------------------------------------------------------------


@pytest.fixture
def agreed(world):
    """Every partner country agreed to version 2: it can be adopted."""
    v2 = world["v2"]
    for country in Country.objects.filter(programme_role=Country.ProgrammeRole.PARTNER):
        Endorsement.objects.update_or_create(
            version=v2,
            country=country,
            consultation_round=1,
            defaults={
                "answer": Endorsement.Answer.AGREE,
                "comment": "",
                "given_by": User.objects.get(username=f"staff-{country.code.code.lower()}"),
            },
        )
    return world


def offered(client, url, world):
    """The actions (url names) a page offers as links or forms."""
    response = client.get(url)
    assert response.status_code == 200
    targets = {a.get("href") for a in find(response, "a")} | {
        form.get("action") for form in find(response, "form")
    }
    return {name for name in ACTIONS if url_of(name, world) in targets}


def allowed(username, *names):
    return {name for name in names if username in ALLOWED[PAGES[name]]}


@pytest.mark.parametrize("username", USERS)
def test_buttons_only_for_who_may_use_them(client, world, username):
    sign_in(client, username)
    # Version 2 is in consultation, with missing answers and an objection: no adoption yet.
    assert offered(client, url_of("version_detail", world), world) == allowed(
        username, "answer", "comment", "send_reminder", "return_to_draft"
    )
    # Version 3 is a draft.
    assert offered(client, reverse("methodology:version_detail", args=[3]), world) == allowed(
        username,
        "version_update",
        "criterion_create",
        "criterion_update",
        "criterion_retire",
        "criterion_move",
        "open_consultation",
    )
    assert offered(client, url_of("version_list", world), world) == allowed(
        username, "version_create"
    )
    assert offered(client, reverse("methodology:history", args=[3]), world) == allowed(
        username, "restore"
    )


@pytest.mark.parametrize("username", USERS)
def test_no_criterion_buttons_outside_a_draft(client, world, username):
    sign_in(client, username)
    for number in (1, 2):
        for url in (
            reverse("methodology:version_detail", args=[number]),
            reverse("methodology:history", args=[number]),
        ):
            response = client.get(url)
            targets = [a.get("href", "") for a in find(response, "a")] + [
                form.get("action", "") for form in find(response, "form")
            ]
            assert not [t for t in targets if "/criteria/" in t or "/restore/" in t], url


@pytest.mark.parametrize("username", USERS)
def test_adopt_button_only_for_the_coordinator(client, agreed, username):
    sign_in(client, username)
    assert offered(client, url_of("version_detail", agreed), agreed) == allowed(
        username, "answer", "comment", "adopt", "return_to_draft"
    )
