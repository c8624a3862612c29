"""
Server time of the main pages at realistic scale, each as a ratio to a
hello-world view through the same middleware (same client, same session) in the
same run; and their query counts at 10 and at 500 visits, which must be equal.

A page asked again is served from the page cache (peervisits/pagecache.py)
until the next write: that is the time measured against the goal. The time of
the first view after a write (rendered) is reported beside it, without a goal.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from benchmarks.results import Result
from peervisits import pagecache
from visits.models import Visit

ROUNDS = 25
# Production's manifest storage needs collectstatic; the pages look files up the plain way.
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
GOAL = 4.0
PAGES = [
    ("visit list", lambda visit: "/visits/"),
    ("visit detail", lambda visit: f"/visits/{visit.pk}/"),
    ("lesson search", lambda visit: "/lessons/?q=cuidados+territorial"),
    ("methodology page", lambda visit: "/methodology/"),
]


def client():
    browser = Client()
    browser.force_login(get_user_model().objects.get(username="projectteam"))
    return browser


def served(browser, url):
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def query_counts(visit):
    """{page: queries} as the project team sees each page now, rendered (not cached)."""
    browser = client()
    counts = {}
    with override_settings(ROOT_URLCONF="benchmarks.urls", STORAGES=PLAIN_STATIC):
        for name, url in PAGES:
            served(browser, url(visit))  # warm caches (ContentTypes, sessions)
            pagecache.bump()
            with CaptureQueriesContext(connection) as queries:
                served(browser, url(visit))
            counts[name] = len(queries)
    return counts


def median_seconds(browser, url, *, after_write=False):
    """The median time of ROUNDS requests; with after_write, each one follows a write
    (the page cache is retired), so the page is rendered every time."""
    served(browser, url)
    times = []
    for _ in range(ROUNDS):
        if after_write:
            pagecache.bump()
        started = time.perf_counter()
        served(browser, url)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(visit, counts_at_10):
    """Timings and counts now (500 visits), with the counts measured earlier at 10 visits."""
    results = []
    counts_at_500 = query_counts(visit)
    browser = client()
    with override_settings(ROOT_URLCONF="benchmarks.urls", STORAGES=PLAIN_STATIC):
        floor = median_seconds(browser, "/bench/hello/")
        results.append(Result("page hello world, signed in (the floor)", floor * 1000, "ms", 1.0))
        bare = median_seconds(browser, "/bench/bare-hello/")
        results.append(
            Result("page hello world, reading nothing", bare * 1000, "ms", bare / floor, None)
        )
        visits = Visit.objects.count()
        for name, url in PAGES:
            seconds = median_seconds(browser, url(visit))
            results.append(
                Result(
                    f"page {name} ({visits} visits)", seconds * 1000, "ms", seconds / floor, GOAL
                )
            )
            rendered = median_seconds(browser, url(visit), after_write=True)
            results.append(
                Result(
                    f"page {name}, first view after a write",
                    rendered * 1000,
                    "ms",
                    rendered / floor,
                    None,
                )
            )
    for name, _url in PAGES:
        results.append(
            Result(
                f"queries {name}: at 500 visits / at 10",
                counts_at_500[name],
                "queries",
                counts_at_500[name] / counts_at_10[name],
                1.0,
            )
        )
    return results


def gin_index_in_plan():
    """The lesson search's query plan on PostgreSQL, and whether it uses the GIN index."""
    if connection.vendor != "postgresql":
        return []
    from lessons import search
    from lessons.models import Lesson

    plan = search.search(Lesson.objects.all(), "cuidados territorial").explain()
    used = "lessons_lesson_search_gin" in plan
    print("lesson search plan:\n" + plan + "\n")
    return [Result("lesson search uses its GIN index (1 = yes)", int(used), "bool", None, None)]
