"""Who may open which page of countries/: every URL × every role."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from countries import urls as country_urls
from countries.models import Actor, Person

# (url name, reads or writes)
PAGES = [
    ("country_list", "read"),
    ("country_create", "write"),
    ("country_detail", "read"),
    ("country_update", "write"),
    ("actor_list", "read"),
    ("actor_create", "write"),
    ("actor_detail", "read"),
    ("actor_update", "write"),
    ("person_list", "read"),
    ("person_create", "write"),
    ("person_detail", "read"),
    ("person_update", "write"),
]

# What each signed-in user gets for a page that reads and one that writes.
EXPECTED = {
    "staff-py": {"read": 200, "write": 403},
    "staff-uy": {"read": 200, "write": 403},
    "coordinator": {"read": 200, "write": 403},
    "projectteam": {"read": 200, "write": 200},
}


def test_every_url_is_in_the_matrix():
    names = {pattern.name for pattern in country_urls.urlpatterns}
    assert names == {name for name, _access in PAGES}


def url_of(name):
    """The page's address, for an object of the demo data where it needs one."""
    if name in ("country_detail", "country_update"):
        return reverse(f"countries:{name}", args=["PY"])
    if name in ("actor_detail", "actor_update"):
        actor = Actor.objects.get(acronym="MIDES")
        return reverse(f"countries:{name}", args=[actor.pk])
    if name in ("person_detail", "person_update"):
        person = Person.objects.get(name="Lucía Pereira")
        return reverse(f"countries:{name}", args=[person.pk])
    return reverse(f"countries:{name}")


def statuses(client):
    """The status of a GET on every page, by url name."""
    return {name: client.get(url_of(name)).status_code for name, _access in PAGES}


def test_anonymous_is_sent_to_login(client, demo):
    for name, _access in PAGES:
        url = url_of(name)
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_signed_in(client, demo, username):
    client.force_login(get_user_model().objects.get(username=username))
    expected = {name: EXPECTED[username][access] for name, access in PAGES}
    assert statuses(client) == expected


def test_user_without_membership_is_refused(client, demo):
    client.force_login(get_user_model().objects.create_user("newcomer"))
    assert statuses(client) == {name: 403 for name, _access in PAGES}


@pytest.mark.parametrize("name", ["country_create", "actor_create", "person_create"])
@pytest.mark.parametrize("username", ["staff-py", "coordinator"])
def test_refused_post_creates_nothing(client, demo, username, name):
    client.force_login(get_user_model().objects.get(username=username))
    before = (Actor.objects.count(), Person.objects.count())
    response = client.post(
        reverse(f"countries:{name}"),
        {"code": "AR", "name": "Intruso", "kind": "other", "exchange_role": "technical"},
    )
    assert response.status_code == 403
    assert (Actor.objects.count(), Person.objects.count()) == before


@pytest.mark.parametrize("username", ["staff-uy", "coordinator"])
def test_refused_post_changes_nothing(client, demo, username):
    client.force_login(get_user_model().objects.get(username=username))
    actor = Actor.objects.get(acronym="MIDES")
    response = client.post(
        reverse("countries:actor_update", args=[actor.pk]), {"name": "Changed", "kind": "other"}
    )
    assert response.status_code == 403
    actor.refresh_from_db()
    assert actor.name == "Ministerio de Desarrollo Social"


# --- unknown objects ----------------------------------------------------------------------

UNKNOWN = [
    "/countries/actors/999999/",
    "/countries/actors/999999/edit/",
    "/countries/people/999999/",
    "/countries/people/999999/edit/",
    "/countries/AR/",  # a real country, not in the programme
    "/countries/AR/edit/",
    "/countries/ZZ/",
    "/countries/py/",  # codes are upper case
]


@pytest.mark.parametrize("username", ["projectteam", "staff-py"])
def test_unknown_object_is_404(client, demo, username):
    client.force_login(get_user_model().objects.get(username=username))
    assert {url: client.get(url).status_code for url in UNKNOWN} == {url: 404 for url in UNKNOWN}


def test_unknown_object_anonymous_goes_to_login(client, demo):
    # Anonymous visitors learn nothing about what exists.
    for url in UNKNOWN:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"/accounts/login/?next={url}"


def test_inactive_project_team_member_is_refused(client, projectteam):
    client.force_login(projectteam)
    projectteam.is_active = False
    projectteam.save()
    response = client.get("/countries/actors/new/")
    # Django's session auth drops an inactive user: back to the login page.
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
