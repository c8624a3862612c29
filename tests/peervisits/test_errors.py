"""The error pages: styled, translated, and never a traceback."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from countries.demo import DEMO_PASSWORD
from tests.support.html import find


def assert_no_details(content):
    for leak in ("Traceback", "django.", "Exception", "settings.py", "DEBUG"):
        assert leak not in content


@pytest.mark.django_db
def test_unknown_url_is_a_styled_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Page not found" in content
    assert "<title>Page not found · PeerVisits</title>" in content
    assert find(response, "a", href="/")  # the way back
    assert find(response, "link", rel="stylesheet")
    assert_no_details(content)


def test_404_for_signed_in_user_keeps_the_navbar(client, staff_py):
    client.force_login(staff_py)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert "Sign out" in content


@pytest.mark.django_db
def test_404_in_spanish(client):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert find(response, "html", lang="es")


@pytest.mark.django_db
def test_csrf_failure(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "staff-py", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "The form could not be sent" in content
    assert "Nothing was saved." in content
    assert "PeerVisits" in content
    assert_no_details(content)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_csrf_token_from_the_page_is_accepted(demo):
    # The counterpart of the test above: the login form carries a working token.
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = find(page, "input", name="csrfmiddlewaretoken")[0]
    response = client.post(
        "/accounts/login/",
        {"username": "staff-py", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token["value"]},
    )
    assert response.status_code == 302


def test_403_page(client, staff_py):
    client.force_login(staff_py)
    response = client.get("/countries/actors/new/")
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Your role in the programme does not allow this action." in content
    assert_no_details(content)


def test_500_page():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong on our side" in content
    assert "<title>Server error · PeerVisits</title>" in content
    assert 'href="/"' in content
    assert_no_details(content)
