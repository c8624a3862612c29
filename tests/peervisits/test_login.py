"""Signing in and out, changing the password, and django-axes' lockout."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation
from django.utils.html import escape

from countries.demo import DEMO_PASSWORD
from tests.support.html import find, input_value

LOGIN = "/accounts/login/"


def invalid_login_message(language):
    """Django's own message for wrong credentials, in ``language``."""
    with translation.override(language):
        username = get_user_model()._meta.get_field("username").verbose_name
        return escape(AuthenticationForm.error_messages["invalid_login"] % {"username": username})


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


# --- the page -----------------------------------------------------------------


@pytest.mark.django_db
def test_login_page(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]
    assert find(response, "input", name="username", type="text")
    assert find(response, "input", name="password", type="password")
    assert find(response, "input", name="csrfmiddlewaretoken")
    assert "Sign in to PeerVisits" in response.content.decode()


@pytest.mark.django_db
def test_login_page_in_spanish(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert find(response, "html", lang="es")


# --- wrong credentials ----------------------------------------------------------


def test_messages_differ_by_language():
    # Otherwise the Spanish tests below would prove nothing.
    assert invalid_login_message("es") != invalid_login_message("en")


def test_wrong_password(client, staff_py):
    response = sign_in(client, "staff-py", "not-the-password")
    assert response.status_code == 200
    assert invalid_login_message("en") in response.content.decode()
    assert input_value(response, "username") == "staff-py"
    assert input_value(response, "password") is None  # never sent back
    assert "_auth_user_id" not in client.session


def test_unknown_user(client, demo):
    response = sign_in(client, "nobody-here", DEMO_PASSWORD)
    assert response.status_code == 200
    assert invalid_login_message("en") in response.content.decode()
    assert input_value(response, "username") == "nobody-here"


def test_wrong_password_in_spanish_by_header(client, staff_py):
    response = sign_in(client, "staff-py", "not-the-password", HTTP_ACCEPT_LANGUAGE="es")
    content = response.content.decode()
    assert invalid_login_message("es") in content
    assert invalid_login_message("en") not in content
    assert input_value(response, "username") == "staff-py"


def test_unknown_user_in_spanish_by_cookie(client, demo, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = sign_in(client, "nadie", DEMO_PASSWORD)
    content = response.content.decode()
    assert invalid_login_message("es") in content
    assert invalid_login_message("en") not in content
    assert input_value(response, "username") == "nadie"


# --- signing in and out -------------------------------------------------------------


@pytest.mark.parametrize(
    "username", ["coordinator", "projectteam", "staff-br", "staff-py", "staff-uy"]
)
def test_demo_user_signs_in(client, demo, username):
    response = sign_in(client, username, DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.url == "/"
    user = get_user_model().objects.get(username=username)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_in_follows_next(client, staff_py):
    response = client.post(
        f"{LOGIN}?next=/countries/", {"username": "staff-py", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/countries/"


def test_sign_in_refuses_foreign_next(client, staff_py):
    response = client.post(
        f"{LOGIN}?next=https://evil.example.com/",
        {"username": "staff-py", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_inactive_user_cannot_sign_in(client, staff_py):
    staff_py.is_active = False
    staff_py.save()
    response = sign_in(client, "staff-py", DEMO_PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_by_post(client, staff_py):
    client.force_login(staff_py)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.url == "/"
    assert "_auth_user_id" not in client.session
    assert "Sign in" in client.get("/").content.decode()


def test_logout_refuses_get(client, staff_py):
    client.force_login(staff_py)
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(staff_py.pk)


def test_navbar_signs_out_with_a_form(client, staff_py):
    client.force_login(staff_py)
    response = client.get("/")
    assert find(response, "form", method="post", action="/accounts/logout/")


# --- password change ---------------------------------------------------------------


@pytest.mark.django_db
def test_password_change_needs_login(client):
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/accounts/password_change/"


def test_password_change(client, staff_uy):
    client.force_login(staff_uy)
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200
    assert find(page, "input", name="old_password")

    new_password = "a-much-longer-care-password-2026"
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    assert response.status_code == 302
    assert response.url == "/accounts/password_change/done/"
    assert "Your password was changed." in client.get(response.url).content.decode()
    # Still signed in on this session.
    assert client.get("/").context["user"] == staff_uy

    staff_uy.refresh_from_db()
    assert staff_uy.check_password(new_password)
    assert not staff_uy.check_password(DEMO_PASSWORD)


def test_password_change_wrong_old_password(client, staff_uy):
    client.force_login(staff_uy)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "wrong",
            "new_password1": "a-much-longer-care-password-2026",
            "new_password2": "a-much-longer-care-password-2026",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    staff_uy.refresh_from_db()
    assert staff_uy.check_password(DEMO_PASSWORD)


# --- django-axes -------------------------------------------------------------------------


def test_lockout_after_failure_limit(client, staff_py, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "staff-py", "wrong").status_code == 200

    response = sign_in(client, "staff-py", "wrong")
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Sign-in temporarily locked" in content
    assert "There were 5 failed attempts" in content
    assert "locked for 15 minutes" in content

    # The right password is refused too while the lock lasts.
    response = sign_in(client, "staff-py", DEMO_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_counts_the_configured_cooloff(client, staff_py, settings):
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, "staff-py", "wrong")
    assert response.status_code == 429
    assert "locked for 1 minute." in response.content.decode()


def test_lockout_is_per_user(client, staff_py, staff_uy, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "staff-py", "wrong")
    response = sign_in(client, "staff-uy", DEMO_PASSWORD)
    assert response.status_code == 302


def test_success_resets_failures(client, staff_py, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "staff-py", "wrong")
    assert sign_in(client, "staff-py", DEMO_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "staff-py", "wrong").status_code == 200


def test_lockout_page_in_spanish(client, staff_py, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, "staff-py", "wrong", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 429
    assert find(response, "html", lang="es")
