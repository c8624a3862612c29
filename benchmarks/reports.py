"""
PDF reports at realistic size, and what asking for one costs the web request.

- A report job (claim, queries, template, WeasyPrint with our URL fetcher, storage) against raw
  WeasyPrint rendering the same HTML, timed in interleaved pairs (floor, job, floor, job…) so
  that a busy moment of the machine slows both; the ratio is the median of the pairs' ratios.
- A repeated identical request: the worker reuses the first file (no WeasyPrint render).
- The request itself (POST /reports/): the job is stored and handed to the broker, nothing is
  rendered; its server time as a ratio to the signed-in hello world, in pairs too.
"""

import statistics
import time

import weasyprint
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_settings

from benchmarks.pages import FLOOR_URL, PLAIN_STATIC
from benchmarks.results import Result
from lessons.models import Lesson
from peervisits.celery import app
from reports import rendering
from reports.kinds import definition
from reports.models import ReportJob
from reports.pdf import PDF_OPTIONS, static_roots
from visits.methodology.workflow import adopted_version
from visits.models import Visit

PAIRS = 5
RENDER_GOAL = 1.3
REQUEST_GOAL = 5.0
REQUEST_PAIRS = 25


def raw_weasyprint(html):
    weasyprint.HTML(string=html, base_url=static_roots()[0].as_uri() + "/").write_pdf(**PDF_OPTIONS)


def run_job(user, kind, target_id):
    """A new job of the report, run as the worker runs it; its render is never a reuse (each
    job's HTML differs from the last by nothing, so the file of the last one is removed)."""
    ReportJob.objects.filter(kind=kind, target_id=target_id).update(file="")
    job = ReportJob.objects.create(
        kind=kind, target_id=target_id, title=f"bench {kind}", language="en", requested_by=user
    )
    rendering.run(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.reused_from_id is None, job.error_detail


def timed(func):
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def render_against_weasyprint(user, kind, target_id, label):
    report = definition(kind)
    html = report.render_html(report.target(None, target_id), "en")
    ratios, jobs = [], []
    for _ in range(PAIRS):
        floor = timed(lambda: raw_weasyprint(html))
        job = timed(lambda: run_job(user, kind, target_id))
        ratios.append(job / floor)
        jobs.append(job)
    ratio = statistics.median(ratios)
    print(f"  report {label}: {statistics.median(jobs):.2f} s, {ratio:.2f}× raw WeasyPrint")
    return Result(f"report {label}", statistics.median(jobs), "s", ratio, RENDER_GOAL)


def renders(big_visit):
    """Each kind of report against raw WeasyPrint, and the reuse of an identical one."""
    user = get_user_model().objects.get(username="projectteam")
    lesson = Lesson.objects.order_by("pk").first()
    cases = [
        (
            "visit",
            big_visit.pk,
            "visit: 6 delegations, 40 participants, 30 findings, 40 evaluations",
        ),
        ("methodology", adopted_version().pk, "methodology: the adopted version"),
        ("lesson", lesson.pk, "lesson sheet"),
    ]
    results = [render_against_weasyprint(user, *case) for case in cases]

    # The same report twice: the second job takes the first one's file.
    pdf_renders = []
    original = rendering.render_pdf

    def counted(*args, **kwargs):
        pdf_renders.append(1)
        return original(*args, **kwargs)

    rendering.render_pdf = counted
    try:
        for _ in range(2):
            job = ReportJob.objects.create(
                kind="visit", target_id=big_visit.pk, title="twice", language="es",
                requested_by=user,
            )  # fmt: skip
            rendering.run(job.pk)
    finally:
        rendering.render_pdf = original
    results.append(
        Result(
            "report repeated identical request: WeasyPrint renders", len(pdf_renders) - 1, "renders"
        )  # fmt: skip
    )
    return results


def overview(visits):
    user = get_user_model().objects.get(username="projectteam")
    return render_against_weasyprint(user, "overview", None, f"overview: {visits} visits")


def requests(big_visit):
    """POST /reports/ for every kind: what the user waits for before the job page."""
    user = get_user_model().objects.get(username="projectteam")
    client = Client()
    client.force_login(user)
    kinds = [
        ("visit", big_visit.pk),
        ("methodology", adopted_version().pk),
        ("lesson", Lesson.objects.order_by("pk").first().pk),
        ("overview", ""),
    ]
    results = []
    with override_settings(ROOT_URLCONF="benchmarks.urls", STORAGES=PLAIN_STATIC):
        for kind, target in kinds:
            floors, times = [], []
            for _ in range(REQUEST_PAIRS):
                floors.append(timed(lambda: client.get(FLOOR_URL)))
                started = time.perf_counter()
                response = client.post("/reports/", {"kind": kind, "target": target})
                times.append(time.perf_counter() - started)
                assert response.status_code == 302, response.status_code
                # The next request must create a job again, not find this one waiting.
                ReportJob.objects.filter(requested_by=user).waiting().update(
                    status=ReportJob.Status.FAILED
                )
            seconds, floor = statistics.median(times), statistics.median(floors)
            label = f"report request (POST /reports/), {kind}"
            if kind == "overview":
                label += f" of {Visit.objects.count()} visits"
            print(f"  {label}: {seconds * 1000:.2f} ms, {seconds / floor:.1f}× the floor")
            results.append(Result(label, seconds * 1000, "ms", seconds / floor, REQUEST_GOAL))
    app.control.purge()  # no worker runs these jobs
    return results
