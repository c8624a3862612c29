"""/healthz/: what monitoring reads. No mocks: the broker is really made unreachable."""

import pytest
from django.conf import settings

from peervisits.celery import app

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_down():
    """Point Celery at a port where nothing listens, and put everything back after."""
    saved_url = app.conf.broker_url
    had_pool = app._pool is not None
    app.conf.broker_url = UNREACHABLE_BROKER
    # The health check asks for a write connection, derived from broker_url
    # unless configured apart: make sure it really goes to the dead port.
    assert app.conf.broker_write_url == UNREACHABLE_BROKER
    try:
        yield
    finally:
        app.conf.broker_url = saved_url
        if app._pool is not None and not had_pool:
            # A pool opened during the test would keep connections to the dead broker.
            app._pool.force_close_all()
            app._pool = None
    assert app.conf.broker_write_url == saved_url


@pytest.mark.django_db
def test_all_up(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_not_cached(client):
    response = client.get("/healthz/")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_broker_down(client, broker_down):
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_healthy_again_when_the_broker_is_back(client, broker_down):
    assert client.get("/healthz/").status_code == 503
    # Nothing of the outage is kept: the next check connects afresh.
    app.conf.broker_url = settings.CELERY_BROKER_URL
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_post_not_allowed(client):
    response = client.post("/healthz/")
    assert response.status_code == 405
