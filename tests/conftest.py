"""
Shared fixtures: the demo data and its named users, and the rules for services.

With CI=true a missing PostgreSQL, Redis or chromium stops the run with an
error instead of letting tests skip.
"""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.utils import translation

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made by the tests themselves are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def pytest_configure(config):
    if not IN_CI:
        return
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL does not point to PostgreSQL")
    elif not _reachable(database_url, 5432):
        problems.append(f"PostgreSQL is not reachable at {database_url}")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        problems.append("REDIS_URL is not set")
    elif not _reachable(redis_url, 6379):
        problems.append(f"Redis is not reachable at {redis_url}")
    if not os.access(CHROMIUM, os.X_OK):
        problems.append(f"{CHROMIUM} is missing")
    if problems:
        pytest.exit("CI=true but " + "; ".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage of production needs collectstatic; tests read static/ directly.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's deliberate slowness costs about half a second per demo user; tests
    # check passwords, not the hasher's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_language_leak():
    # A request activates its language in the thread and leaves it active: without
    # this, a test after a Spanish request would see Spanish outside requests.
    yield
    translation.deactivate()


@pytest.fixture
def demo(db):
    """The demo's countries, actors, people, users and methodology versions (fast)."""
    from countries import demo as countries_demo
    from visits import demo as methodology_demo

    countries_demo.load()
    methodology_demo.load_methodology()


@pytest.fixture
def demo_visits(demo):
    """Also the demo's fourteen visits (slower: use it where visits are needed)."""
    from visits.demo_visits import load_visits

    load_visits()


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


@pytest.fixture
def coordinator(demo):
    return _user("coordinator")


@pytest.fixture
def projectteam(demo):
    return _user("projectteam")


@pytest.fixture
def staff_py(demo):
    return _user("staff-py")


@pytest.fixture
def staff_uy(demo):
    return _user("staff-uy")


@pytest.fixture
def staff_br(demo):
    return _user("staff-br")


@pytest.fixture(scope="session")
def chromium_path():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is not installed")  # CI=true fails before getting here
    return CHROMIUM


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")  # CI=true fails before getting here
    return url
