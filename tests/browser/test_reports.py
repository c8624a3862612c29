"""The project team requests a visit's report in the browser and downloads the PDF.

A real Celery worker process renders the report (the ``report_worker`` fixture); it
shares the test database with the live server, so the test is transactional and its
demo data committed. The job page follows the job by polling its JSON, without reloading.
"""

import re
from urllib.parse import urlparse

import pytest
from pypdf import PdfReader

from reports.models import ReportJob
from visits.models import Visit

from .pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker]

VISIT_TITLE = "The National Integrated Care System from the inside"  # Costa Rica takes no part
JOB_PAGE = re.compile(r"/reports/(\d+)/$")


def words(text):
    return " ".join(text.split())


def test_project_team_requests_and_downloads_a_visit_report(
    page, browser, live_server, transactional_db, demo_visits, report_worker
):
    visit = Visit.objects.get(title=VISIT_TITLE)
    assert visit.status == Visit.Status.CLOSED and visit.findings.exists()
    sign_in(page, "projectteam")
    page.goto(visit.get_absolute_url())

    # The form next to the title; the report is in the language of the page.
    page.get_by_role("button", name="Generate report").click()
    page.wait_for_url(lambda url: JOB_PAGE.search(urlparse(url).path))
    job = ReportJob.objects.get()
    assert urlparse(page.url).path == f"/reports/{job.pk}/"
    assert (job.kind, job.target_id, job.language) == ("visit", visit.pk, "en")
    assert page.get_by_role("heading", name=job.title).is_visible()
    status = page.locator("[data-job-status] .report-status")
    assert status.inner_text() in {"Queued", "Running"}
    download_link = page.get_by_role("link", name="Download PDF")
    assert not download_link.is_visible()

    # The page follows the job by itself: no reload (the marker would be gone).
    page.evaluate("window.stillTheSamePage = true")
    download_link.wait_for(state="visible", timeout=90_000)
    # Case-insensitive: the JSON's status_display is not capitalised like the page's badge
    # (see test_report_views.test_the_json_status_is_shown_as_the_page_shows_it).
    assert status.inner_text().lower() == "done"
    assert page.evaluate("window.stillTheSamePage") is True
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.error_detail

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(download.path())
    assert len(reader.pages) == job.pages >= 1
    assert visit.title in words(" ".join(p.extract_text() for p in reader.pages))

    # Costa Rica's staff see neither the visit nor the project team's job.
    other = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    try:
        sign_in(other, "staff-cr")
        assert other.goto(visit.get_absolute_url()).status == 404
        assert other.goto(f"/reports/{job.pk}/").status == 404
        assert other.goto(f"/reports/{job.pk}/download/").status == 404
    finally:
        other.context.close()
