"""`manage.py load_demo`: the real programme's data, the demo users, and idempotence."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import translation

from countries.models import Actor, Country, Membership, Person

User = get_user_model()

DEMO_PASSWORD = "peervisits-demo"
USERNAMES = [
    "coordinator",
    "projectteam",
    "staff-br",
    "staff-cl",
    "staff-co",
    "staff-cr",
    "staff-py",
    "staff-uy",
]
# The actors as the knowledge-bank entry lists them: name, acronym, country.
KNOWLEDGE_BANK_ACTORS = {
    ("Ministerio de Desarrollo Social", "MIDES", "UY"),
    ("Ministerio de Desarrollo Humano e Inclusión Social", "", "CR"),
    ("Brasil", "", "BR"),
    ("Ministerio de Desarrollo Social", "", "CL"),
    ("Ministerio de la Niñez y la Adolescencia", "", "PY"),
    ("Ministerio de Salud y Protección Social", "", "CO"),
    ("Organización Internacional Ítalo-Latinoamericana", "IILA", "IT"),
}


def snapshot():
    """Every row of the countries and visits apps and of auth.User, serialized."""
    models = [
        *apps.get_app_config("countries").get_models(),
        *apps.get_app_config("visits").get_models(),
        User,
    ]
    return {
        model._meta.label: serializers.serialize("json", model.objects.order_by("pk"))
        for model in models
    }


def test_countries(demo):
    assert {(country.code.code, country.programme_role) for country in Country.objects.all()} == {
        ("BR", "partner"),
        ("CL", "partner"),
        ("CO", "partner"),
        ("CR", "partner"),
        ("PY", "partner"),
        ("UY", "partner"),
        ("IT", "coordinator"),
    }


def test_actors_of_the_knowledge_bank(demo):
    actors = {(a.name, a.acronym, a.country.code.code) for a in Actor.objects.all()}
    assert actors == KNOWLEDGE_BANK_ACTORS
    assert all(actor.is_partner for actor in Actor.objects.all())


def test_brasil_needs_review(demo):
    assert list(Actor.objects.filter(needs_review=True).values_list("name", flat=True)) == [
        "Brasil"
    ]
    brasil = Actor.objects.get(name="Brasil")
    assert "names only the country" in brasil.review_note


def test_iila_is_in_italy(demo):
    iila = Actor.objects.get(acronym="IILA")
    assert iila.country.code == "IT"
    assert iila.kind == Actor.Kind.INTERNATIONAL


def test_people(demo):
    for actor in Actor.objects.all():
        assert actor.people.count() == 2
    assert Person.objects.filter(exchange_role="political").count() == 6
    for person in Person.objects.all():
        person.full_clean()  # languages, e-mail: valid data


def test_demo_users(demo):
    assert sorted(User.objects.values_list("username", flat=True)) == USERNAMES
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(is_staff=True).exists()


@pytest.mark.parametrize(
    "username, role, country",
    [
        ("coordinator", Membership.Role.COORDINATOR, "IT"),
        ("projectteam", Membership.Role.PROJECT_TEAM, "IT"),
    ],
)
def test_programme_users(demo, username, role, country):
    (membership,) = Membership.objects.filter(user__username=username)
    assert membership.role == role
    assert membership.actor.country.code == country
    assert not membership.is_focal_point


@pytest.mark.parametrize("code", ["BR", "CL", "CO", "CR", "PY", "UY"])
def test_staff_user_is_the_focal_point_of_its_country(demo, code):
    (membership,) = Membership.objects.filter(user__username=f"staff-{code.lower()}")
    assert membership.role == Membership.Role.STAFF
    assert membership.actor.country.code == code
    assert membership.is_focal_point
    # The only one.
    assert Membership.objects.filter(actor__country__code=code, is_focal_point=True).count() == 1
    membership.full_clean()


@pytest.mark.parametrize("username", USERNAMES)
def test_demo_users_authenticate(demo, username):
    from django.contrib.auth import authenticate

    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username=username, password=DEMO_PASSWORD)
    assert user is not None and user.username == username
    assert authenticate(request, username=username, password="wrong") is None


def test_second_run_changes_nothing(db):
    call_command("load_demo", stdout=io.StringIO())
    before = snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == before


def test_second_run_keeps_edits(demo):
    brasil = Actor.objects.get(name="Brasil")
    brasil.needs_review = False
    brasil.save()
    user = User.objects.get(username="staff-py")
    user.set_password("changed-by-her-2026")
    user.save()

    call_command("load_demo", stdout=io.StringIO())

    brasil.refresh_from_db()
    assert not brasil.needs_review
    user.refresh_from_db()
    assert user.check_password("changed-by-her-2026")


def test_first_run_on_an_empty_database(db):
    assert not Country.objects.exists()
    call_command("load_demo", stdout=io.StringIO())
    assert Country.objects.count() == 7
    # The seven of the knowledge-bank entry, and three illustrative ones per partner
    # country that take part in the demo visits.
    assert Actor.objects.filter(review_note="Illustrative demo actor.").count() == 18
    assert Actor.objects.exclude(review_note="Illustrative demo actor.").count() == 7
    assert Person.objects.count() == 14
    assert User.objects.count() == 8
    assert Membership.objects.count() == 8


def test_prints_the_users_and_password(db):
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_demo", stdout=out)
    output = out.getvalue()
    assert "Demo data loaded." in output
    assert f"password: {DEMO_PASSWORD}" in output
    for username in USERNAMES:
        assert f"  {username} " in output
    lines = {line.split()[0]: line for line in output.splitlines() if line.startswith("  ")}
    assert "Coordinator (IT)" in lines["coordinator"]
    assert "Project team (IT)" in lines["projectteam"]
    assert "Ministry staff (PY, focal point)" in lines["staff-py"]
