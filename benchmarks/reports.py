"""
PDF reports at realistic size: the whole job (claim, queries, template, WeasyPrint
with our URL fetcher, storage) against raw WeasyPrint rendering the same HTML in
the same run; and a repeated identical request, which must render nothing.
"""

import time

import weasyprint
from django.contrib.auth import get_user_model

from benchmarks.data import make_visit, make_visits
from benchmarks.results import Result
from lessons.models import Lesson
from reports import jobs
from reports.kinds import definition
from reports.models import ReportJob
from reports.pdf import PDF_OPTIONS, static_roots
from visits.methodology.workflow import adopted_version
from visits.models import Visit

REPEAT = 3
GOAL = 1.3
OVERVIEW_VISITS = 300


def best_of(func, repeat=REPEAT):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def raw_weasyprint(html):
    weasyprint.HTML(string=html, base_url=static_roots()[0].as_uri() + "/").write_pdf(**PDF_OPTIONS)


def run_job(user, kind, target_id):
    job = ReportJob.objects.create(
        kind=kind, target_id=target_id, title=f"bench {kind}", language="en",
        requested_by=user, input_hash="",
    )  # fmt: skip
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.error_detail


def run():
    user = get_user_model().objects.get(username="projectteam")
    big = make_visit(1, delegations=6, participants=40, findings=30, evaluations=40)
    make_visits(max(0, OVERVIEW_VISITS - Visit.objects.count()))
    lesson = Lesson.objects.order_by("pk").first()
    cases = [
        ("visit", big.pk, "visit: 6 delegations, 40 participants, 30 findings, 40 evaluations"),
        ("methodology", adopted_version().pk, "methodology: the adopted version"),
        ("lesson", lesson.pk, "lesson sheet"),
        ("overview", None, f"overview: {Visit.objects.count()} visits"),
    ]
    results = []
    for kind, target_id, label in cases:
        report = definition(kind)
        html = report.render_html(report.target(None, target_id), "en")
        floor = best_of(lambda html=html: raw_weasyprint(html))
        measured = best_of(lambda kind=kind, target_id=target_id: run_job(user, kind, target_id))
        results.append(Result(f"report {label}", measured, "s", measured / floor, GOAL))

    # The same request twice: the second is served the first one's file.
    first = jobs.request_report(user, "visit", big.pk, "es")
    jobs.run(first.pk)
    before = ReportJob.objects.count()
    again = jobs.request_report(user, "visit", big.pk, "es")
    renders = ReportJob.objects.count() - before + (again.status != ReportJob.Status.DONE)
    results.append(Result("report repeated identical request: renders", renders, "renders"))
    return results
