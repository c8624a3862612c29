"""Report jobs through the web: request, follow, download, reuse, retry, sweep and run.

No worker runs here: where a job must be done, the test calls ``rendering.run(job.pk)`` in
its own process, which is what the worker runs. Jobs requested through the views
are never dispatched (the test's transaction never commits, so ``on_commit`` waits
for ever); the sweep tests dispatch for real, to a private broker.

The visit of most tests: Uruguay hosts Paraguay, Colombia and Brazil ("The National
Integrated Care System from the inside", closed, with findings). Costa Rica and Chile
take no part.
"""

import dataclasses
import logging
import re
from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from lessons.models import Lesson
from reports import kinds as reports
from reports import rendering, tasks
from reports.kinds.base import ReportDefinition
from reports.models import ReportJob
from tests.support.html import find, tags, text
from visits.methodology.models import MethodologyVersion
from visits.models import Finding, Visit

User = get_user_model()
Status = ReportJob.Status

REPORTS = reverse("reports:job_list")
LOGIN = "/accounts/login/"
VISIT_TITLE = "The National Integrated Care System from the inside"  # UY hosts PY, CO, BR
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def visit(demo_visits):
    return Visit.objects.get(title=VISIT_TITLE)


def user(username):
    return User.objects.get(username=username)


def sign_in(client, username):
    client.force_login(user(username))


def ask(client, kind="visit", target="", headers=None, **data):
    return client.post(REPORTS, {"kind": kind, "target": target, **data}, headers=headers)


def detail_url(job):
    return reverse("reports:job_detail", args=[job.pk])


def download_url(job):
    return reverse("reports:job_download", args=[job.pk])


def retry_url(job):
    return reverse("reports:job_retry", args=[job.pk])


def done(job):
    """Run the job as the worker would, in this process."""
    rendering.run(job.pk)
    job.refresh_from_db()
    assert job.status == Status.DONE, job.error_detail
    return job


def download_shown(page):
    """Whether the job page shows its "Download PDF" link (it is there, hidden, until done)."""
    (box,) = [attrs for tag, attrs, _ in tags(page) if "data-job-download" in attrs]
    return "hidden" not in box


def body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def requested(client, visit):
    """Project team asked for the visit's report: the job, still queued."""
    sign_in(client, "projectteam")
    response = ask(client, target=visit.pk)
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(job)
    return job


# --- requesting and following a job ---------------------------------------------------------------


def test_request_creates_a_queued_job_and_redirects_to_it(client, requested, visit):
    job = requested
    assert job.kind == ReportJob.Kind.VISIT
    assert job.target_id == visit.pk
    assert job.requested_by == user("projectteam")
    assert job.status == Status.QUEUED
    assert job.language == "en"  # the language of the page
    assert job.title == f"Systematisation: {visit.label}"
    # Nothing is rendered in the request: the worker computes the input's hash.
    assert not job.input_hash and not job.file
    # The job's page says where it stands.
    page = client.get(detail_url(job))
    assert page.status_code == 200
    assert job.title in text(page)
    assert "Queued" in text(page)
    assert not download_shown(page)


def test_the_language_is_the_pages_unless_one_is_asked_for(client, visit):
    sign_in(client, "projectteam")
    ask(client, target=visit.pk, headers={"accept-language": "es"})
    spanish = ReportJob.objects.get()
    assert spanish.language == "es"
    assert spanish.title.endswith("Uruguay, visita 1")  # the title is in the job's language
    ask(client, target=visit.pk, language="pt", headers={"accept-language": "es"})
    portuguese = ReportJob.objects.exclude(pk=spanish.pk).get()
    assert portuguese.language == "pt"


def test_the_job_page_answers_json(client, requested):
    job = requested
    state = client.get(detail_url(job), **JSON)
    assert state.status_code == 200
    assert state["Content-Type"] == "application/json"
    assert {"status": "queued", "progress": 0, "download_url": None}.items() <= state.json().items()
    assert "no-cache" in state["Cache-Control"] or "no-store" in state["Cache-Control"]

    done(job)
    state = client.get(detail_url(job), **JSON).json()
    assert state["status"] == "done"
    assert state["progress"] == 100
    assert state["download_url"] == download_url(job)


def badge(page):
    """The status badge of the job page, as the server renders it."""
    match = re.search(
        r'<span class="badge report-status[^"]*">([^<]*)</span>', page.content.decode()
    )
    return match.group(1)


def test_the_json_status_is_shown_as_the_page_shows_it(client, requested):
    job = requested
    for step in ("queued", "done"):
        if step == "done":
            done(job)
        shown = badge(client.get(detail_url(job)))
        assert client.get(detail_url(job), **JSON).json()["status_display"] == shown


def test_the_done_job_is_downloaded_as_a_pdf(client, requested, visit):
    job = done(requested)
    assert job.pages >= 1 and job.size > 0
    page = client.get(detail_url(job))
    assert "Done" in text(page)
    assert download_shown(page)
    assert find(page, "a", href=download_url(job))

    response = client.get(download_url(job))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert re.fullmatch(r'attachment; filename="[\w.-]+\.pdf"', response["Content-Disposition"])
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    pdf = body(response)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) == job.size
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == job.pages
    assert visit.title in " ".join(page.extract_text() for page in reader.pages)


# --- reuse of identical reports -------------------------------------------------------------------


@pytest.fixture
def renders(monkeypatch):
    """Counts of the HTML renderings and PDF renders made from here on."""
    counts = {"html": 0, "pdf": 0}
    render_html, render_pdf = ReportDefinition.render_html, rendering.render_pdf

    def counted_html(self, *args, **kwargs):
        counts["html"] += 1
        return render_html(self, *args, **kwargs)

    def counted_pdf(*args, **kwargs):
        counts["pdf"] += 1
        return render_pdf(*args, **kwargs)

    monkeypatch.setattr(ReportDefinition, "render_html", counted_html)
    monkeypatch.setattr(rendering, "render_pdf", counted_pdf)
    return counts


@pytest.mark.parametrize("kind", ["visit", "methodology", "lesson", "overview"])
def test_a_request_renders_nothing(client, visit, renders, kind):
    targets = {"visit": visit.pk, "lesson": published_lesson().pk}
    sign_in(client, "coordinator")
    assert ask(client, kind=kind, target=targets.get(kind, "")).status_code == 302
    assert renders == {"html": 0, "pdf": 0}
    job = ReportJob.objects.get()
    assert (job.status, job.input_hash) == (Status.QUEUED, "")


def test_an_identical_request_by_the_same_user_reuses_the_file(client, requested, visit, renders):
    first = done(requested)
    assert renders == {"html": 1, "pdf": 1}
    response = ask(client, target=visit.pk)
    second = ReportJob.objects.exclude(pk=first.pk).get()
    assert response.url == detail_url(second)
    assert second.status == Status.QUEUED
    second = done(second)
    assert renders == {"html": 2, "pdf": 1}  # the worker compared the HTML, and reused
    assert second.reused_from == first
    assert second.input_hash == first.input_hash
    assert second.file.name == first.file.name


def test_an_identical_request_while_queued_gets_the_waiting_job(client, requested, visit):
    response = ask(client, target=visit.pk)
    assert response.url == detail_url(requested)
    assert ReportJob.objects.count() == 1


def test_another_users_identical_request_reuses_the_file(client, requested, visit, renders):
    first = done(requested)
    sign_in(client, "coordinator")
    response = ask(client, target=visit.pk)
    second = ReportJob.objects.exclude(pk=first.pk).get()
    assert response.url == detail_url(second)
    assert second.requested_by == user("coordinator")
    second = done(second)
    assert renders["pdf"] == 1  # the first job's render only
    assert second.reused_from == first
    assert second.file.name == first.file.name
    assert (second.pages, second.size) == (first.pages, first.size)
    assert "the same file is served" in text(client.get(detail_url(second)))
    download = client.get(download_url(second))
    assert download.status_code == 200
    assert body(download).startswith(b"%PDF")


def test_a_lost_file_is_not_served_again(client, requested, visit, renders):
    """When the file of the identical report is gone from the storage, the report is rendered
    again rather than reused into a job whose download is a 404."""
    first = done(requested)
    first.file.storage.delete(first.file.name)
    sign_in(client, "coordinator")
    ask(client, target=visit.pk)
    second = done(ReportJob.objects.exclude(pk=first.pk).get())
    assert second.reused_from is None
    assert renders["pdf"] == 2
    assert second.file.storage.exists(second.file.name)


def test_changed_data_makes_a_new_render(client, requested, visit, renders):
    first = done(requested)
    finding = Finding.objects.filter(visit=visit).first()
    finding.title = "A finding with a new title"
    finding.save()
    response = ask(client, target=visit.pk)
    second = ReportJob.objects.exclude(pk=first.pk).get()
    assert response.url == detail_url(second)
    second = done(second)
    assert second.input_hash != first.input_hash
    assert second.reused_from is None
    assert renders["pdf"] == 2


def test_another_language_makes_a_new_render(client, requested, visit, renders):
    first = done(requested)
    ask(client, target=visit.pk, language="es")
    second = ReportJob.objects.exclude(pk=first.pk).get()
    assert (second.language, second.status) == ("es", Status.QUEUED)
    second = done(second)
    assert second.reused_from is None and renders["pdf"] == 2


def test_staff_of_the_same_visit_share_an_identical_report(client, visit, renders):
    sign_in(client, "staff-py")
    ask(client, target=visit.pk)
    first = done(ReportJob.objects.get())
    sign_in(client, "staff-uy")
    ask(client, target=visit.pk)
    second = done(ReportJob.objects.exclude(pk=first.pk).get())
    assert (second.status, second.reused_from, renders["pdf"]) == (Status.DONE, first, 1)


# --- the other kinds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, title, content",
    [
        ("overview", "Programme overview", "Programme overview"),
        ("methodology", "Methodology of the peer-to-peer visits, version 1", "version 1"),
        ("lesson", "Lesson sheet: Interpretation makes the exchange", "Interpretation"),
    ],
)
def test_programme_reports_are_produced(client, demo_visits, kind, title, content):
    target = published_lesson().pk if kind == "lesson" else ""  # the adopted version by default
    sign_in(client, "coordinator")
    response = ask(client, kind=kind, target=target)
    job = ReportJob.objects.get()
    assert response.url == detail_url(job)
    assert (job.kind, job.title, job.status) == (kind, title, Status.QUEUED)
    if kind == "methodology":
        assert job.target_id == MethodologyVersion.objects.get(number=1).pk
    if kind == "overview":
        assert job.target_id is None
    done(job)
    download = client.get(download_url(job))
    assert download.status_code == 200
    reader = PdfReader(BytesIO(body(download)))
    assert len(reader.pages) == job.pages >= 1
    assert content in " ".join(page.extract_text() for page in reader.pages)
    # Nothing changed: the project team's identical request is served the same file.
    sign_in(client, "projectteam")
    ask(client, kind=kind, target=target)
    again = done(ReportJob.objects.exclude(pk=job.pk).get())
    assert (again.status, again.reused_from, again.file.name) == (Status.DONE, job, job.file.name)


def test_a_methodology_version_not_adopted_has_no_report(client, demo):
    draft = MethodologyVersion.objects.get(number=2)
    assert draft.status == MethodologyVersion.Status.CONSULTATION
    sign_in(client, "projectteam")
    assert ask(client, kind="methodology", target=draft.pk).status_code == 404
    assert ask(client, kind="lesson", target=999999).status_code == 404
    assert not ReportJob.objects.exists()


# --- permissions ----------------------------------------------------------------------------------


def test_staff_of_a_country_not_taking_part_get_404_and_no_job(client, visit):
    assert "CR" not in {str(d.country.code) for d in visit.delegations.all()}
    sign_in(client, "staff-cr")
    assert ask(client, target=visit.pk).status_code == 404
    assert not ReportJob.objects.exists()
    assert client.get(visit.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("username", ["staff-uy", "staff-py"])  # the host, a visitor
def test_staff_taking_part_request_and_download_the_visit_report(client, visit, username):
    sign_in(client, username)
    response = ask(client, target=visit.pk)
    job = ReportJob.objects.get()
    assert response.url == detail_url(job)
    assert job.requested_by == user(username)
    done(job)
    download = client.get(download_url(job))
    assert download.status_code == 200
    assert body(download).startswith(b"%PDF")


@pytest.mark.parametrize("kind", ["overview", "methodology", "lesson"])
def test_staff_may_not_request_programme_reports(client, demo, kind):
    target = ""
    if kind == "methodology":
        target = MethodologyVersion.objects.get(status=MethodologyVersion.Status.ADOPTED).pk
    if kind == "lesson":
        target = published_lesson().pk
    sign_in(client, "staff-py")
    assert ask(client, kind=kind, target=target).status_code == 403
    assert not ReportJob.objects.exists()


def test_anonymous_is_sent_to_login_and_no_job(client, visit):
    response = ask(client, target=visit.pk)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={REPORTS}"
    assert not ReportJob.objects.exists()


def test_another_users_job_is_404_except_for_the_project_team(client, visit):
    sign_in(client, "staff-py")
    ask(client, target=visit.pk)
    job = done(ReportJob.objects.get())
    for username in ["staff-uy", "staff-br", "coordinator"]:  # all of them see the visit
        sign_in(client, username)
        assert client.get(detail_url(job)).status_code == 404, username
        assert client.get(detail_url(job), **JSON).status_code == 404, username
        assert client.get(download_url(job)).status_code == 404, username
    sign_in(client, "projectteam")
    assert client.get(detail_url(job)).status_code == 200
    assert client.get(download_url(job)).status_code == 200
    # Nobody's job list shows another's jobs.
    assert job.title not in text(client.get(REPORTS))


def test_a_queued_job_is_not_downloaded(client, requested):
    assert client.get(download_url(requested)).status_code == 404


def test_the_download_checks_the_visit_again(client, visit):
    """Staff whose country leaves the visit may no longer download its report."""
    sign_in(client, "staff-br")
    ask(client, target=visit.pk)
    job = done(ReportJob.objects.get())
    Finding.objects.filter(visit=visit, delegation__country__code="BR").delete()
    visit.delegations.filter(country__code="BR").delete()
    assert client.get(download_url(job)).status_code == 404


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "bogus"}, "Report: Select a valid choice. bogus is not one of the available"),
        ({"target": "abc"}, "Of: Enter a whole number."),
        ({"target": "-1"}, "Of: Ensure this value is greater than or equal to 1."),
        ({"language": "xx"}, "Language: Select a valid choice. xx is not one of the available"),
    ],
)
def test_bad_input_is_a_400_page_that_says_what_is_wrong(client, visit, data, message):
    sign_in(client, "projectteam")
    response = client.post(REPORTS, {"kind": "visit", "target": visit.pk, **data})
    assert response.status_code == 400
    content = text(response)
    assert "The report could not be requested:" in content
    assert message in content
    assert not ReportJob.objects.exists()


def test_a_visit_that_does_not_exist_is_404(client, visit):
    sign_in(client, "projectteam")
    missing = Visit.objects.order_by("-pk").first().pk + 1000
    assert ask(client, target=missing).status_code == 404
    assert ask(client).status_code == 404  # a visit report needs its visit
    assert not ReportJob.objects.exists()


def test_unknown_jobs_are_404(client, demo):
    sign_in(client, "projectteam")
    for name in ["job_detail", "job_download"]:
        assert client.get(reverse(f"reports:{name}", args=[999999])).status_code == 404
    assert client.post(retry_url(ReportJob(pk=999999))).status_code == 404


# --- retry ----------------------------------------------------------------------------------------


@pytest.fixture
def failed(requested):
    ReportJob.objects.filter(pk=requested.pk).update(
        status=Status.FAILED,
        attempts=2,
        progress=30,
        error="The report could not be produced because of a test.",
        error_detail="Traceback: the test said so",
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    requested.refresh_from_db()
    return requested


def test_a_failed_job_shows_the_error_and_try_again(client, failed):
    page = client.get(detail_url(failed))
    assert "Failed" in text(page)
    assert "The report could not be produced because of a test." in text(page)
    assert "Traceback" not in text(page)  # the detail is for the log and the admin
    assert find(page, "form", action=retry_url(failed))
    assert "Try again" in text(page)
    state = client.get(detail_url(failed), **JSON).json()
    assert state["status"] == "failed" and state["download_url"] is None


def test_only_the_requester_is_offered_try_again(client, demo, visit):
    sign_in(client, "staff-py")
    ask(client, target=visit.pk)
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(status=Status.FAILED, error="Broken.")
    sign_in(client, "projectteam")
    page = client.get(detail_url(job))
    assert "Broken." in text(page)
    assert not find(page, "form", action=retry_url(job))
    assert client.post(retry_url(job)).status_code == 404
    assert ReportJob.objects.get(pk=job.pk).status == Status.FAILED


def test_retry_queues_the_failed_job_again(client, failed):
    response = client.post(retry_url(failed), follow=True)
    assert response.redirect_chain == [(detail_url(failed), 302)]
    assert "The report was queued again." in text(response)
    failed.refresh_from_db()
    assert failed.status == Status.QUEUED
    assert (failed.attempts, failed.progress) == (0, 0)
    assert failed.error == failed.error_detail == ""
    assert failed.started_at is None and failed.finished_at is None
    assert failed.dispatched_at is None  # dispatched on commit (or by the sweep)
    # And it is done when a worker runs it.
    done(failed)


def test_retry_of_a_done_job_changes_nothing(client, requested):
    job = done(requested)
    response = client.post(retry_url(job), follow=True)
    assert response.status_code == 200
    assert "Only a failed report can be tried again." in text(response)
    after = ReportJob.objects.get(pk=job.pk)
    assert (after.status, after.file.name, after.finished_at) == (
        Status.DONE,
        job.file.name,
        job.finished_at,
    )


def test_retry_answers_only_post(client, failed):
    assert client.get(retry_url(failed)).status_code == 405
    assert ReportJob.objects.get(pk=failed.pk).status == Status.FAILED


# --- queries --------------------------------------------------------------------------------------


def make_jobs(owner, count):
    """``count`` jobs of every status, bulk-created (their content does not matter here)."""
    statuses = [Status.QUEUED, Status.RUNNING, Status.DONE, Status.FAILED]
    ReportJob.objects.bulk_create(
        ReportJob(
            kind=ReportJob.Kind.VISIT,
            target_id=n,
            title=f"Report {n}",
            language="en",
            requested_by=owner,
            status=statuses[n % 4],
            file=f"reports/{n}/report-{n}-en.pdf" if statuses[n % 4] == Status.DONE else "",
            pages=3 if statuses[n % 4] == Status.DONE else None,
            size=12345 if statuses[n % 4] == Status.DONE else None,
            error="Broken." if statuses[n % 4] == Status.FAILED else "",
            input_hash=f"{n:064x}",
        )
        for n in range(count)
    )


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(captured)


MAX_QUERIES = 10


@pytest.mark.parametrize("username", ["projectteam", "staff-py"])
def test_queries_do_not_grow_with_the_jobs(client, demo, username):
    owner = user(username)
    sign_in(client, username)
    make_jobs(owner, 3)
    job = ReportJob.objects.filter(requested_by=owner).first()
    few = [queries(client, REPORTS), queries(client, detail_url(job))]
    few.append(queries(client, detail_url(job), **JSON))
    make_jobs(owner, 30)
    make_jobs(user("coordinator"), 30)
    many = [queries(client, REPORTS), queries(client, detail_url(job))]
    many.append(queries(client, detail_url(job), **JSON))
    assert few == many
    assert max(many) <= MAX_QUERIES, many
    page = client.get(REPORTS)
    assert len(page.context["jobs"]) == 25  # 33 jobs: a page of 25


# --- buttons --------------------------------------------------------------------------------------


def report_forms(response):
    """The kinds of report the page offers to request (forms posting to /reports/)."""
    if not find(response, "form", action=REPORTS):
        return set()
    return {field["value"] for field in find(response, "input", name="kind")}


@pytest.mark.parametrize(
    "username, offered",
    [
        ("projectteam", True),
        ("coordinator", True),
        ("staff-uy", True),  # the host
        ("staff-py", True),  # a visiting country
    ],
)
def test_the_visit_page_offers_the_report(client, visit, username, offered):
    sign_in(client, username)
    page = client.get(visit.get_absolute_url())
    assert page.status_code == 200
    assert ("visit" in report_forms(page)) == offered
    if offered:
        assert find(page, "input", name="target", value=str(visit.pk))
        assert "Generate report" in text(page)


def test_other_visit_pages_offer_no_report(client, visit):
    sign_in(client, "staff-py")
    for url in [reverse("visits:visit_list"), reverse("visits:agenda", args=[visit.pk])]:
        assert "visit" not in report_forms(client.get(url))


def published_lesson():
    return Lesson.objects.create(
        title="Interpretation makes the exchange",
        status=Lesson.Status.PUBLISHED,
        created_by=user("staff-py"),
        description="Interpretation for every session.",
    )


@pytest.mark.parametrize(
    "username, offered",
    [("projectteam", True), ("coordinator", True), ("staff-py", False), ("staff-cr", False)],
)
def test_methodology_and_lesson_pages_offer_reports_to_the_programme(
    client, demo, username, offered
):
    lesson = published_lesson()
    sign_in(client, username)
    adopted = client.get(reverse("methodology:adopted"))
    assert ("methodology" in report_forms(adopted)) == offered
    sheet = client.get(reverse("lessons:lesson_detail", args=[lesson.pk]))
    assert ("lesson" in report_forms(sheet)) == offered


def test_anonymous_readers_of_a_lesson_are_offered_no_report(client, demo):
    lesson = published_lesson()
    assert report_forms(client.get(reverse("lessons:lesson_detail", args=[lesson.pk]))) == set()


@pytest.mark.parametrize(
    "username, offered",
    [("projectteam", True), ("coordinator", True), ("staff-py", False), ("staff-cr", False)],
)
def test_the_reports_page_offers_programme_reports_to_the_programme(
    client, demo, username, offered
):
    sign_in(client, username)
    page = client.get(REPORTS)
    assert page.status_code == 200
    expected = {"overview", "methodology"} if offered else set()
    assert report_forms(page) == expected
    assert ("Reports on the whole programme" in text(page)) == offered


# --- the sweep ------------------------------------------------------------------------------------


@pytest.fixture
def broker(default_worker_env):
    """A real broker for this process (Redis when REDIS_URL is set, else a private folder)."""
    from peervisits.celery import app

    yield app
    app.control.purge()  # nobody should run what the test left behind


def waiting_messages(app):
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare("celery", passive=True).message_count


def test_sweep_dispatches_what_was_never_dispatched(broker, requested):
    job = requested
    assert job.dispatched_at is None
    recent = ReportJob.objects.create(
        kind=job.kind,
        target_id=job.target_id,
        title=job.title,
        language="es",
        requested_by=job.requested_by,
        input_hash="0" * 64,
        dispatched_at=timezone.now() - timedelta(seconds=5),
    )
    call_command("sweep_reports", stdout=StringIO())
    job.refresh_from_db()
    assert job.status == Status.QUEUED
    assert job.dispatched_at is not None
    assert timezone.now() - job.dispatched_at < timedelta(minutes=1)
    recent_after = ReportJob.objects.get(pk=recent.pk)
    assert recent_after.dispatched_at == recent.dispatched_at
    assert waiting_messages(broker) >= 1


def test_sweep_dispatches_again_what_waited_too_long(broker, requested, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.REPORT_QUEUE_GRACE + 60)
    ReportJob.objects.filter(pk=requested.pk).update(dispatched_at=long_ago)
    assert tasks.sweep() == 1
    assert ReportJob.objects.get(pk=requested.pk).dispatched_at > long_ago


def test_sweep_requeues_a_job_running_past_its_lease(broker, requested, settings):
    started = timezone.now() - rendering.lease() - timedelta(minutes=1)
    ReportJob.objects.filter(pk=requested.pk).update(
        status=Status.RUNNING,
        claim="a-dead-worker",
        started_at=started,
        progress=30,
        dispatched_at=started,
    )
    fresh = timezone.now() - timedelta(seconds=10)
    alive = ReportJob.objects.create(
        kind="visit",
        target_id=requested.target_id,
        title="Running fine",
        language="pt",
        requested_by=requested.requested_by,
        input_hash="1" * 64,
        status=Status.RUNNING,
        claim="a-live-worker",
        started_at=fresh,
        dispatched_at=fresh,
    )
    out = StringIO()
    call_command("sweep_reports", stdout=out)
    assert out.getvalue().strip() == "1 report job(s) dispatched"
    job = ReportJob.objects.get(pk=requested.pk)
    assert (job.status, job.claim, job.progress) == (Status.QUEUED, "", 0)
    assert job.dispatched_at > started
    alive = ReportJob.objects.get(pk=alive.pk)
    assert (alive.status, alive.claim, alive.dispatched_at) == (
        Status.RUNNING,
        "a-live-worker",
        fresh,
    )
    # The dispatched message finds the job queued: a worker renders it.
    done(job)


def test_sweep_with_a_later_now_finds_the_running_job_abandoned(broker, requested):
    ReportJob.objects.filter(pk=requested.pk).update(
        status=Status.RUNNING, started_at=timezone.now(), dispatched_at=timezone.now()
    )
    assert tasks.sweep() == 0
    assert tasks.sweep(now=timezone.now() + rendering.lease() + timedelta(seconds=1)) == 1
    assert ReportJob.objects.get(pk=requested.pk).status == Status.QUEUED


# --- running jobs ---------------------------------------------------------------------------------


def test_run_of_a_done_job_does_nothing(requested):
    job = done(requested)
    assert rendering.claim(job.pk) is None
    assert rendering.run(job.pk) is None
    after = ReportJob.objects.get(pk=job.pk)
    assert (after.status, after.attempts, after.finished_at, after.file.name) == (
        Status.DONE,
        1,
        job.finished_at,
        job.file.name,
    )


def test_only_the_first_of_two_claims_gets_the_job(requested):
    first = rendering.claim(requested.pk)
    second = rendering.claim(requested.pk)
    assert first is not None and second is None
    assert first.status == Status.RUNNING and first.attempts == 1
    assert ReportJob.objects.get(pk=requested.pk).claim == first.claim
    # A duplicate delivery while it runs changes nothing either.
    assert rendering.run(requested.pk) is None
    assert ReportJob.objects.get(pk=requested.pk).claim == first.claim


def test_run_when_the_visit_was_deleted(requested, visit):
    Finding.objects.filter(visit=visit).delete()  # findings protect their delegations
    Visit.objects.filter(pk=visit.pk).delete()
    rendering.run(requested.pk)
    job = ReportJob.objects.get(pk=requested.pk)
    assert job.status == Status.FAILED
    assert job.error == "What this report was about no longer exists."
    assert not job.file


def test_an_error_in_the_data_or_layout_fails_the_job_readably(
    client, requested, monkeypatch, caplog
):
    def broken_context(obj):
        raise ValueError("a template variable exploded")

    definition = reports.REPORTS[ReportJob.Kind.VISIT]
    monkeypatch.setitem(
        reports.REPORTS,
        ReportJob.Kind.VISIT,
        dataclasses.replace(definition, context=broken_context),
    )
    with caplog.at_level(logging.ERROR, logger="reports.rendering"):
        rendering.run(requested.pk)
    job = ReportJob.objects.get(pk=requested.pk)
    assert job.status == Status.FAILED
    assert f"(job {job.pk})" in job.error
    assert "error in its data or layout" in job.error
    assert "Traceback" in job.error_detail
    assert "a template variable exploded" in job.error_detail
    assert "exploded" not in job.error
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(str(job.pk) in r.getMessage() and r.exc_info for r in logged), logged
    # The requester reads the message and may try again.
    page = client.get(detail_url(job))
    assert f"(job {job.pk})" in text(page)
    assert find(page, "form", action=retry_url(job))


def test_a_job_past_its_attempts_fails_without_rendering(requested, settings, monkeypatch):
    def no_render(*args, **kwargs):
        raise AssertionError("rendered after the attempts were exhausted")

    monkeypatch.setattr(rendering, "render_pdf", no_render)
    ReportJob.objects.filter(pk=requested.pk).update(attempts=settings.REPORT_MAX_ATTEMPTS)
    rendering.run(requested.pk)
    job = ReportJob.objects.get(pk=requested.pk)
    assert job.status == Status.FAILED
    assert job.error == (
        f"The report could not be produced after {settings.REPORT_MAX_ATTEMPTS} attempts. "
        "Try again later."
    )


def test_a_transient_error_gives_the_job_back_for_a_retry(requested, monkeypatch):
    def storage_away(*args, **kwargs):
        raise OSError("the disk is briefly away")

    monkeypatch.setattr(rendering, "render_pdf", storage_away)
    with pytest.raises(rendering.TransientError, match="briefly away"):
        rendering.run(requested.pk)
    job = ReportJob.objects.get(pk=requested.pk)
    assert (job.status, job.claim, job.progress, job.attempts) == (Status.QUEUED, "", 0, 1)
    monkeypatch.undo()
    done(job)  # the retry renders it
