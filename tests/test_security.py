"""Security headers, no inline code in pages, and `check --deploy` for production settings."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from .html import tags

ROOT = Path(__file__).resolve().parent.parent


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- headers -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz/", "/no/such/page/"])
def test_security_headers(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_content_security_policy(client):
    directives = csp_directives(client.get("/"))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    for values in directives.values():
        assert "'unsafe-inline'" not in values
        assert "'unsafe-eval'" not in values
        assert "*" not in values


def test_content_security_policy_for_signed_in_users(client, projectteam):
    client.force_login(projectteam)
    directives = csp_directives(client.get("/"))
    assert "'unsafe-inline'" not in directives["script-src"]


# --- no inline code --------------------------------------------------------------------------


def assert_no_inline_code(response):
    found = tags(response)
    scripts = [(attrs, body) for tag, attrs, body in found if tag == "script"]
    assert scripts, "the page loads its scripts"
    for attrs, body in scripts:
        assert attrs.get("src", "").startswith("/static/"), attrs
        assert body.strip() == ""
    for tag, attrs, _body in found:
        assert tag != "style"
        assert "style" not in attrs, (tag, attrs)
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not str(attrs.get("href", "")).startswith("javascript:"), (tag, attrs)


@pytest.mark.parametrize(
    "path, status", [("/", 200), ("/accounts/login/", 200), ("/no/such/page/", 404)]
)
def test_public_pages_have_no_inline_code(client, demo, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_no_inline_code(response)


@pytest.mark.parametrize("username", ["coordinator", "projectteam", "staff-py"])
def test_dashboards_have_no_inline_code(client, demo, username):
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get("/")
    assert response.status_code == 200
    assert_no_inline_code(response)


@pytest.mark.parametrize(
    "path",
    [
        "/countries/",
        "/countries/PY/",
        "/countries/actors/",
        "/countries/actors/new/",
        "/countries/people/",
        "/countries/people/new/",
        "/accounts/password_change/",
    ],
)
def test_country_pages_have_no_inline_code(client, projectteam, path):
    client.force_login(projectteam)
    response = client.get(path)
    assert response.status_code == 200
    assert_no_inline_code(response)


def test_locked_out_page_has_no_inline_code(client, staff_py, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "staff-py", "password": "wrong"})
    assert response.status_code == 429
    assert_no_inline_code(response)


# --- check --deploy ---------------------------------------------------------------------------


def production_env(**overrides):
    """The environment of a production process: no DEBUG, HTTPS, a real key."""
    # Built from scratch, as a deployment would (the test process sets variables
    # such as DJANGO_ALLOW_ASYNC_UNSAFE that production must not have).
    passed_on = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VAR_DIR", "DATABASE_URL", "REDIS_URL")
    env = {key: os.environ[key] for key in passed_on if key in os.environ}
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        DJANGO_SETTINGS_MODULE="peervisits.settings",
        DEBUG="False",
        HTTPS="True",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS="peervisits.example.org",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_in_production():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "overrides, warning",
    [
        ({"SECRET_KEY": None}, "security.W009"),  # the default, insecure key
        ({"SECRET_KEY": "short"}, "security.W009"),
        ({"DEBUG": "True"}, "security.W018"),
        ({"HTTPS": "False"}, "security.W008"),  # no redirect to HTTPS
    ],
)
def test_check_deploy_fails_on_insecure_settings(overrides, warning):
    result = check_deploy(production_env(**overrides))
    assert result.returncode != 0
    assert warning in result.stderr
