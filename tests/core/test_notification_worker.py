"""Integration: a real Celery worker process sends a notification's immediate e-mail from
the real broker (Redis in CI) and records it, on the test database."""

import pytest

from core import notifications
from core.models import Notification
from tests.core.notification_kinds import KIND, paraguay_visit
from tests.support.workers import Worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


@pytest.fixture
def mail_worker(default_worker_env, tmp_path):
    """A worker that knows the tests' kind and writes its e-mails to files."""
    mails = tmp_path / "mails"
    env = {
        **default_worker_env,
        "DJANGO_SETTINGS_MODULE": "tests.core.notification_worker_settings",
        "EMAIL_URL": f"filemail:///{mails}",
    }
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        yield worker.wait_ready(), mails
    finally:
        worker.stop()


def test_a_worker_sends_the_immediate_mail(demo, staff_py, staff_uy, mail_worker):
    worker, mails = mail_worker
    visit = paraguay_visit()

    [notification] = notifications.notify(KIND, [staff_uy], visit, actor=staff_py, name="Ana")

    # In the inbox at once; e-mailed by the worker.
    assert Notification.objects.filter(pk=notification.pk, recipient=staff_uy).exists()
    wait_for(
        lambda: Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).exists(),
        message="the worker to send the e-mail",
    )
    [sent] = list(mails.iterdir())
    message = sent.read_text()
    assert f"To: {staff_uy.email}" in message
    assert "Persona «Ana» guardada." in message  # Uruguay's language
    assert f"/notifications/{notification.pk}/" in message
