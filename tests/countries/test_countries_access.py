"""Access to countries/ beyond the permission matrix (tests/support/permission_matrix.py,
which has every URL × every kind of user, refused POSTs included): unknown objects, and a
member of the project team who is deactivated."""

import pytest
from django.contrib.auth import get_user_model

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
