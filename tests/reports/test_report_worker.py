"""
Reports rendered by real Celery worker processes, on Redis and on kombu's
filesystem broker (each test runs on both), and what happens when things break:
a worker killed mid-render, a broker down when the report is requested, a job
delivered twice, a render past its time limit, a job whose data vanished.
"""

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from countries.models import Person
from reports import jobs, rendering, tasks
from reports.models import ReportJob
from reports.tasks import render_report
from tests.support.workers import broker, wait_for
from visits.models import Finding, Participant, Visit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]

Status = ReportJob.Status
ACCENTED_DELEGATE = "Nayeli Ñandú Conceição"
# Nothing listens on the discard port: a broker that is down.
DEAD_BROKER = "redis://127.0.0.1:9/0"


def closed_visit():
    return Visit.objects.filter(status=Visit.Status.CLOSED).order_by("pk").first()


def add_accented_delegate(visit):
    delegation = visit.delegations.filter(is_host=False).select_related("country").first()
    actor = delegation.actors.first() or visit.host_actors.first()
    person = Person.objects.create(name=ACCENTED_DELEGATE, position="Técnica", actor=actor)
    Participant.objects.create(delegation=delegation, person=person, role="technical")
    return person


def make_long(visit, findings=150):
    """Enough findings for a render that lasts a few seconds: time to kill a worker in it."""
    delegation = visit.delegations.first()
    text = " ".join(["La articulación intersectorial del sistema de cuidados"] * 40)
    Finding.objects.bulk_create(
        Finding(
            visit=visit,
            delegation=delegation,
            kind=Finding.Kind.BEST_PRACTICE,
            title=f"Práctica {n}",
            text=text,
        )
        for n in range(findings)
    )


def finished(job, timeout=120):
    return wait_for(
        lambda: (current := ReportJob.objects.get(pk=job.pk)).is_finished and current,
        timeout=timeout,
        message=f"report job {job.pk} to finish",
    )


def files_of(job):
    folder = Path(settings.MEDIA_ROOT) / "reports" / str(job.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def pdf_text(data):
    reader = PdfReader(BytesIO(data))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


def test_request_render_and_download_through_a_worker(
    start_worker, demo_visits, projectteam, client
):
    visit = closed_visit()
    add_accented_delegate(visit)
    start_worker()
    client.force_login(projectteam)

    response = client.post("/reports/", {"kind": "visit", "target": visit.pk, "language": "en"})

    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{job.pk}/"
    job = finished(job)
    assert job.status == Status.DONE, job.error_detail
    assert job.attempts == 1 and job.progress == 100 and job.render_seconds > 0
    state = client.get(f"/reports/{job.pk}/", HTTP_ACCEPT="application/json").json()
    assert state["status"] == "done"
    assert state["download_url"] == f"/reports/{job.pk}/download/"

    response = client.get(state["download_url"])
    data = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert len(data) == job.size
    reader, pages = pdf_text(data)
    assert len(reader.pages) == job.pages
    assert reader.metadata.title == job.title
    assert reader.metadata.author == settings.REPORT_AUTHOR
    assert reader.metadata.subject
    assert reader.trailer["/Root"]["/Lang"] == "en"
    text = " ".join(pages)
    assert " ".join(visit.title.split()) in text
    assert ACCENTED_DELEGATE in text
    assert f"page 1 of {job.pages}" in pages[0]
    assert files_of(job) == [Path(job.file.name).name]


def test_worker_killed_mid_render_the_job_completes_once(start_worker, demo_visits, projectteam):
    visit = closed_visit()
    make_long(visit)
    worker = start_worker()
    job = jobs.request_report(projectteam, "visit", visit.pk, "es")  # dispatched on commit

    wait_for(
        lambda: ReportJob.objects.filter(pk=job.pk, status=Status.RUNNING, progress__gte=30),
        interval=0.05,
        message="the render to start",
    )
    worker.kill()
    job.refresh_from_db()
    assert job.status == Status.RUNNING and job.progress < 100, "killed too late"

    start_worker()
    # Beat's sweep once the job's lease (its time limit and a margin) has run out: on
    # Redis the killed worker's message waits unacknowledged for the visibility
    # timeout; on the filesystem broker it is gone.
    assert tasks.sweep(now=timezone.now() + rendering.lease() + timedelta(seconds=1)) == 1

    job = finished(job)
    assert job.status == Status.DONE, job.error_detail
    assert job.attempts == 2
    assert files_of(job) == [Path(job.file.name).name]
    done_at = job.finished_at

    # The old message coming back late (Redis redelivers it after the visibility
    # timeout) finds the job done: nothing is rendered or written again.
    render_report.apply_async((job.pk,))
    wait_for(lambda: worker_log_count(job, "succeeded") >= 2, message="the late delivery")
    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at) == (Status.DONE, 2, done_at)
    assert files_of(job) == [Path(job.file.name).name]


def worker_log_count(job, word):
    logs = sorted(Path(settings.MEDIA_ROOT).parent.glob("worker-*.log"))
    return sum(
        line.count(word)
        for log in logs
        for line in log.read_text().splitlines()
        if "render_report" in line
    )


def test_a_job_delivered_twice_is_rendered_once(start_worker, demo_visits, projectteam):
    start_worker(concurrency=2)
    job = jobs.request_report(projectteam, "visit", closed_visit().pk, "pt")
    assert tasks.dispatch(job.pk)  # a second message for the same job, as a sweep could send

    job = finished(job)
    wait_for(lambda: worker_log_count(job, "succeeded") >= 2, message="both deliveries")
    job.refresh_from_db()
    assert job.status == Status.DONE and job.attempts == 1
    assert files_of(job) == [Path(job.file.name).name]


def test_request_while_the_broker_is_down_completes_after_the_sweep(
    start_worker, demo_visits, projectteam, client
):
    visit = closed_visit()
    client.force_login(projectteam)
    with broker(DEAD_BROKER):
        response = client.post("/reports/", {"kind": "visit", "target": visit.pk})
        assert response.status_code == 302
        job = ReportJob.objects.get()
        page = client.get(response["Location"])
        state = client.get(response["Location"], HTTP_ACCEPT="application/json").json()
    assert page.status_code == 200
    assert (job.status, job.dispatched_at) == (Status.QUEUED, None)
    assert state["status"] == "queued" and state["download_url"] is None

    start_worker()
    call_command("sweep_reports", stdout=BytesIOText())

    job = finished(job)
    assert job.status == Status.DONE, job.error_detail
    assert job.attempts == 1 and job.dispatched_at is not None


def test_a_failing_job_fails_clearly_and_the_worker_goes_on(start_worker, demo_visits, projectteam):
    gone, kept = Visit.objects.filter(status=Visit.Status.CLOSED).order_by("pk")[:2]
    failing = jobs.request_report(projectteam, "visit", gone.pk, "en")
    gone.delete()  # the data vanished between the request and the render
    working = jobs.request_report(projectteam, "visit", kept.pk, "en")
    worker = start_worker()

    failing, working = finished(failing), finished(working)
    assert failing.status == Status.FAILED
    assert failing.error == "What this report was about no longer exists."
    assert working.status == Status.DONE, working.error_detail
    assert f"Report job {failing.pk} failed" in worker.output()
    assert worker.process.poll() is None  # still running


def test_a_render_past_the_time_limit_fails_and_may_be_retried(
    start_worker, demo_visits, projectteam, client, monkeypatch
):
    visit = closed_visit()
    make_long(visit, findings=400)
    # Celery puts the task's time limits in each message, from the publisher's settings:
    # this process publishes, the worker shares its settings.
    monkeypatch.setattr(render_report, "soft_time_limit", 1)
    monkeypatch.setattr(render_report, "time_limit", 20)
    monkeypatch.setattr(render_report, "_exec_options", None)
    start_worker(REPORT_TIME_LIMIT="1")
    job = finished(jobs.request_report(projectteam, "visit", visit.pk, "en"))
    assert job.status == Status.FAILED
    assert job.error == "The report took longer than 1 second to produce and was stopped."

    client.force_login(projectteam)
    assert "Try again" in client.get(f"/reports/{job.pk}/").text
    client.post(f"/reports/{job.pk}/retry/")
    again = finished(job)
    assert again.queued_at > job.queued_at  # queued again, and rendered again
    assert (again.status, again.attempts) == (Status.FAILED, 1)


class BytesIOText:
    """A stdout for call_command that keeps nothing."""

    def write(self, text):
        pass

    def flush(self):
        pass
