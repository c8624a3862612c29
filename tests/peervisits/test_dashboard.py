"""`/`: the landing page for visitors, the dashboard of their role for users."""

import pytest
from django.contrib.auth import get_user_model

from countries.models import Actor, Country, Membership, Person
from peervisits import previews
from tests.support.html import find, text

PROGRAMME_COUNTRIES = ["Brazil", "Chile", "Colombia", "Costa Rica", "Italy", "Paraguay", "Uruguay"]
FOCAL_POINT_NOTE = "You are your country's focal point"
NOT_LINKED = "Your account is not linked to any institution of the programme yet"


def template_names(response):
    return [t.name for t in response.templates]


def add_actors_and_people(count, first=0):
    """``count`` more actors in Paraguay, each with a person and a staff user."""
    paraguay = Country.objects.get(code="PY")
    User = get_user_model()
    for number in range(first, first + count):
        actor = Actor.objects.create(
            name=f"Secretaría de prueba {number}", country=paraguay, needs_review=True
        )
        Person.objects.create(name=f"Persona {number}", actor=actor, exchange_role="technical")
        user = User.objects.create_user(
            f"extra-{number}", first_name="Extra", last_name=str(number)
        )
        Membership.objects.create(user=user, actor=actor, role=Membership.Role.STAFF)


# --- visitors ------------------------------------------------------------------------


def test_landing_page(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    assert "peervisits/landing.html" in template_names(response)
    content = text(response)
    assert "Peer-to-peer technical visits" in content
    assert find(response, "a", href="/accounts/login/")
    listed = content.split("Participating countries", 1)[1]
    for name in PROGRAMME_COUNTRIES:
        assert name in listed
    # Nothing of the programme's people is public.
    assert "María José Giménez" not in content
    assert "Dashboard" not in content


def test_landing_page_names_countries_in_spanish(client, demo):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    content = text(response)
    assert "Brasil" in content
    assert "Italia" in content
    assert "Brazil" not in content


@pytest.mark.django_db
def test_landing_page_without_data(client):
    response = client.get("/")
    assert response.status_code == 200
    assert find(response, "a", href="/accounts/login/")


# --- each role's dashboard --------------------------------------------------------------


def test_coordinator_dashboard(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/")
    assert response.status_code == 200
    assert "peervisits/dashboard_coordinator.html" in template_names(response)
    content = text(response)
    assert "Coordination dashboard" in content
    assert "Countries of the programme" in content
    # Each partner's focal point is named in the overview.
    assert "María José Giménez" in content
    assert "Martín Fernández" in content
    # Brazil's actor from the knowledge bank waits for review.
    assert "Actors to review" in content
    assert "Please record the Brazilian ministry" in content
    assert "Manage the programme's data" not in content
    assert "Project team dashboard" not in content


def test_project_team_dashboard(client, projectteam):
    client.force_login(projectteam)
    response = client.get("/")
    assert response.status_code == 200
    assert "peervisits/dashboard_project_team.html" in template_names(response)
    content = text(response)
    assert "Project team dashboard" in content
    assert "Manage the programme's data" in content
    assert find(response, "a", href="/countries/actors/new/")
    assert find(response, "a", href="/countries/people/new/")
    assert find(response, "a", href="/admin/")
    assert "Countries of the programme" in content
    assert "Coordination dashboard" not in content


@pytest.mark.parametrize(
    "username, full_name, actor",
    [
        ("staff-py", "María José Giménez", "Ministerio de la Niñez y la Adolescencia"),
        ("staff-uy", "Martín Fernández", "Ministerio de Desarrollo Social (MIDES)"),
        ("staff-br", "Ana Paula Souza", "Brasil"),
        ("staff-cl", "Felipe Muñoz", "Ministerio de Desarrollo Social"),
        ("staff-co", "Natalia Castaño", "Ministerio de Salud y Protección Social"),
        ("staff-cr", "Óscar Solís", "Ministerio de Desarrollo Humano e Inclusión Social"),
    ],
)
def test_staff_dashboard(client, demo, username, full_name, actor):
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get("/")
    assert response.status_code == 200
    assert "peervisits/dashboard_staff.html" in template_names(response)
    content = text(response)
    assert f"Welcome, {full_name}" in content
    assert f"People of {actor}" in content
    assert "Ministry staff" in content
    assert FOCAL_POINT_NOTE in content
    # Not the coordination views.
    assert "Countries of the programme" not in content
    assert "Actors to review" not in content
    assert "Administration" not in content


def test_staff_dashboard_shows_own_actor_and_people(client, staff_py):
    client.force_login(staff_py)
    response = client.get("/")
    content = text(response)
    actor = Actor.objects.get(name="Ministerio de la Niñez y la Adolescencia")
    assert find(response, "a", href=f"/countries/actors/{actor.pk}/")
    assert find(response, "a", href="/countries/PY/")
    assert "Carlos Benítez" in content
    assert "Viceministro de Protección Integral" in content
    # Other countries' people are not listed.
    assert "Lucía Pereira" not in content


def test_staff_who_is_not_focal_point(client, demo):
    actor = Actor.objects.get(name="Ministerio de la Niñez y la Adolescencia")
    user = get_user_model().objects.create_user("staff-py-2", first_name="Rosa", last_name="Ayala")
    Membership.objects.create(user=user, actor=actor, role=Membership.Role.STAFF)
    client.force_login(user)
    content = text(client.get("/"))
    assert "Welcome, Rosa Ayala" in content
    assert "People of Ministerio de la Niñez y la Adolescencia" in content
    assert FOCAL_POINT_NOTE not in content


@pytest.mark.django_db
def test_user_without_membership(client):
    user = get_user_model().objects.create_user("newcomer")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "peervisits/dashboard_no_role.html" in template_names(response)
    content = text(response)
    assert "Welcome, newcomer" in content
    assert NOT_LINKED in content
    # No menu entries that would only be refused.
    assert not find(response, "a", href="/countries/")
    assert not find(response, "a", href="/admin/")


def test_widest_role_wins(client, staff_py):
    iila = Actor.objects.get(acronym="IILA")
    Membership.objects.create(user=staff_py, actor=iila, role=Membership.Role.COORDINATOR)
    client.force_login(staff_py)
    assert "Coordination dashboard" in client.get("/").content.decode()


# --- queries ---------------------------------------------------------------------------------

# Session, user, roles, the two permission lookups of ModelBackend for the project team (the navbar
# asks `perms` that the rules refuse it), memberships, the open consultations (and a focal point's
# answers), the visits in progress and drafts (plans awaiting approval for coordinators,
# recommendations to follow up for staff), then what the dashboard shows; a list longer than the
# dashboard shows is counted, one query more (the actors to review, here); the navigation bar's
# unread notifications; the to-do lists (peervisits/todo.py), which the navigation bar's to-do
# count adds up on this page.
QUERY_BOUNDS = {"coordinator": 18, "projectteam": 17, "staff-py": 15}
# What shows that the added rows are counted or on the page.
SHOWS_ADDED = {
    "coordinator": "and 22 more · 27 in all",  # actors to review: 26 added and the demo's one
    "projectteam": "and 22 more · 27 in all",
    "staff-py": "Colega 19",  # among the people of their actor
}


@pytest.mark.parametrize("username", sorted(QUERY_BOUNDS))
def test_dashboard_queries_do_not_grow(client, demo, username, django_assert_max_num_queries):
    client.force_login(get_user_model().objects.get(username=username))
    bound = QUERY_BOUNDS[username]
    add_actors_and_people(6)  # more actors to review than a dashboard lists
    with django_assert_max_num_queries(bound) as before:
        client.get("/")

    add_actors_and_people(20, first=6)
    # Also more people at the staff user's own actor.
    own_actor = Actor.objects.get(name="Ministerio de la Niñez y la Adolescencia")
    for number in range(20):
        Person.objects.create(name=f"Colega {number}", actor=own_actor, exchange_role="political")

    with django_assert_max_num_queries(bound) as after:
        response = client.get("/")
    assert len(after) == len(before)
    assert SHOWS_ADDED[username] in text(response)


def test_a_dashboard_list_shows_the_first_five_and_counts_the_rest(client, coordinator):
    add_actors_and_people(8)
    client.force_login(coordinator)
    response = client.get("/")
    preview = response.context["actors_to_review"]
    assert len(preview.items) == 5 and preview.total == 8 + 1  # and the demo's Brasil
    assert "and 4 more · 9 in all" in text(response)
    assert find(response, "a", href="/countries/actors/?needs_review=true")


def test_a_dashboard_counts_up_to_a_hundred(client, coordinator, monkeypatch):
    monkeypatch.setattr(previews, "COUNTED", 6)  # as a hundred, with fewer rows
    add_actors_and_people(8)
    client.force_login(coordinator)
    response = client.get("/")
    preview = response.context["actors_to_review"]
    assert len(preview.items) == 5 and preview.total == 7 and preview.beyond_count
    assert "see them all · more than 6 in all" in text(response)
    assert find(response, "a", href="/countries/actors/?needs_review=true")
    assert "in all" not in text(response).replace("more than 6 in all", "")


def test_a_short_list_is_not_counted_again(client, coordinator, django_assert_num_queries):
    client.force_login(coordinator)
    client.get("/")
    with django_assert_num_queries(QUERY_BOUNDS["coordinator"] - 1):
        response = client.get("/")
    assert "more ·" not in text(response)


@pytest.mark.django_db
def test_landing_page_queries(client, django_assert_num_queries):
    with django_assert_num_queries(2):  # the countries and the latest published lessons
        client.get("/")
