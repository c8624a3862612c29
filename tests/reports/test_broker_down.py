"""
A report request with the broker's host unreachable — connections neither accepted nor
refused, as when a host or its network is down — answers within two seconds; the job stays
queued and the sweep hands it to a worker once the broker is back.
"""

import socket
import time
from contextlib import closing
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from reports.models import ReportJob
from tests.support.workers import broker, wait_for
from visits.models import Visit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


@pytest.fixture
def unreachable_address():
    """An address where a connection attempt hangs: a listening socket whose backlog is full
    (the kernel then drops new connection requests instead of refusing them)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    host, port = listener.getsockname()
    waiting = []
    for _ in range(4):  # fill the backlog; these connections are never accepted
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex((host, port))
        waiting.append(client)
    time.sleep(0.1)
    with closing(socket.socket()) as probe:
        probe.settimeout(0.5)
        with pytest.raises(TimeoutError):
            probe.connect((host, port))
    yield host, port
    for client in waiting:
        client.close()
    listener.close()


def test_a_report_request_with_the_broker_unreachable_answers_quickly_and_the_sweep_completes_it(
    report_worker, unreachable_address, demo_visits, projectteam, client
):
    visit = Visit.objects.filter(status=Visit.Status.CLOSED).order_by("pk").first()
    client.force_login(projectteam)
    host, port = unreachable_address
    # The production settings' transport options, which bound the wait (peervisits/settings.py).
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS if settings.REDIS_URL else {}
    with broker(f"redis://{host}:{port}/0", {"visibility_timeout": 3600, **options}):
        started = time.monotonic()
        response = client.post("/reports/", {"kind": "visit", "target": visit.pk})
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2, f"the request waited {elapsed:.1f} s for the broker"
    job = ReportJob.objects.get()
    assert (job.status, job.dispatched_at) == (ReportJob.Status.QUEUED, None)

    call_command("sweep_reports", stdout=StringIO())

    job = wait_for(
        lambda: (current := ReportJob.objects.get(pk=job.pk)).is_finished and current,
        timeout=120,
        message="the swept job to finish",
    )
    assert job.status == ReportJob.Status.DONE, job.error_detail
    assert job.dispatched_at is not None
