"""
Shared fixtures: the demo data and its named users, and the rules for services.

With CI=true a missing PostgreSQL, Redis or chromium stops the run with an
error instead of letting tests skip.
"""

import os
import socket
import uuid
from contextlib import contextmanager
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


SLOW_FIRST = ("browser", "celery_worker")


def pytest_collection_modifyitems(config, items):
    # The longest tests first, so that pytest-xdist's workers finish together instead of
    # one driving chromium alone at the end (every worker collects, and sorts, the same).
    items.sort(key=lambda item: not any(item.get_closest_marker(m) for m in SLOW_FIRST))


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage of production needs collectstatic; tests read static/ directly.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    from tests.support.demo_world import FAST_PASSWORD_HASHERS

    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # Each test its own namespace in the cache, which holds the throttles' counters: the cache
    # stays the real one (Redis when REDIS_URL is set) without a test's counters reaching
    # another test, in this process or another xdist worker.
    settings.CACHES = {
        name: {**options, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, options in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _no_language_leak():
    # A request activates its language in the thread and leaves it active: without
    # this, a test after a Spanish request would see Spanish outside requests.
    yield
    translation.deactivate()


# --- the demo world: committed once, cut to what each test asks for ------------------


@pytest.fixture(scope="session")
def _demo_world():
    from tests.support.demo_world import DemoWorld

    return DemoWorld()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    # pytest-django's database fixture: its session fixtures are ready, the test's
    # transaction is not open yet (commit the world here), then it is (cut it here).
    if fixturedef.argname != "_django_db_helper":
        return (yield)
    from django.db import connection

    from tests.support.demo_world import layer_of

    world = request.getfixturevalue("_demo_world")
    layer = layer_of(request.node.fixturenames)
    with request.getfixturevalue("django_db_blocker").unblock():
        world.before_database(layer)
    result = yield
    world.cut_to(layer)
    if not connection.in_atomic_block:
        # A transactional test: its end flushes every table, the world with them.
        world.after_transactional_test()
    return result


@pytest.fixture
def demo(db):
    """The demo's countries, actors, people, users and methodology versions, no visits."""


@pytest.fixture
def demo_visits(db):
    """Also the demo's fourteen visits."""


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
    """Redis for the Celery tests of this xdist worker."""
    from tests.support.workers import redis_of_this_xdist_worker

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")  # CI=true fails before getting here
    return redis_of_this_xdist_worker(url)


# --- real Celery workers ---------------------------------------------------------


@contextmanager
def _worker_environment(kind, tmp_path, settings):
    """The environment of worker processes on the test database, and this process's publisher."""
    from peervisits.celery import app
    from tests.support.workers import (
        broker,
        filesystem_broker_options,
        redis_of_this_xdist_worker,
        url_of_the_test_database,
    )

    env = dict(os.environ)
    env["DATABASE_URL"] = url_of_the_test_database()
    env["VAR_DIR"] = str(tmp_path / "var")
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    settings.MEDIA_ROOT = env["MEDIA_ROOT"]
    if kind == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            pytest.skip("REDIS_URL is not set")  # CI=true fails before getting here
        url = env["REDIS_URL"] = redis_of_this_xdist_worker(url)
        publisher = broker(url, {"visibility_timeout": 3600})
    else:
        env.pop("REDIS_URL", None)
        publisher = broker("filesystem://", filesystem_broker_options(env["VAR_DIR"]))
    with publisher:
        app.control.purge()  # messages other tests left behind are not this test's
        yield env


@pytest.fixture(params=["redis", "filesystem"])
def worker_env(request, tmp_path, settings):
    """Each test runs twice: on Redis and on kombu's filesystem broker."""
    with _worker_environment(request.param, tmp_path, settings) as env:
        yield env


@pytest.fixture
def default_worker_env(tmp_path, settings):
    """Redis when REDIS_URL is set (production, CI), else the filesystem broker of `make run`."""
    kind = "redis" if os.environ.get("REDIS_URL") else "filesystem"
    with _worker_environment(kind, tmp_path, settings) as env:
        yield env


def _worker_starter(env, tmp_path):
    from tests.support.workers import Worker

    started = []

    def start(concurrency=1, **extra_env):
        log = tmp_path / f"worker-{len(started)}.log"
        worker = Worker({**env, **extra_env}, log, concurrency).start()
        started.append(worker)
        return worker.wait_ready()

    return start, started


@pytest.fixture
def start_worker(worker_env, tmp_path):
    start, started = _worker_starter(worker_env, tmp_path)
    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def report_worker(default_worker_env, tmp_path):
    """One worker running for the whole test, on the default broker."""
    start, started = _worker_starter(default_worker_env, tmp_path)
    yield start()
    for worker in started:
        worker.stop()
