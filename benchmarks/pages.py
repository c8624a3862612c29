"""
What users wait for: the server time of every page the three journeys reach, each as a ratio
to a hello-world view for the same signed-in user through the same middleware, in the same run.
Nothing is kept between requests (there is no page cache): every request renders its page.

Each page is timed in pairs, the floor and then the page, so that a machine busy for a moment
slows both; its ratio is the median page time over the median floor time of its pairs. Its
queries and the peak memory of one request (tracemalloc) are measured apart, so that neither
instrument slows the timing.
"""

import statistics
import time
import tracemalloc
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from benchmarks.data import RARE_WORD
from lessons.models import Lesson
from reports.models import ReportJob
from visits.methodology.models import MethodologyVersion
from visits.models import Visit

# Production's manifest storage needs collectstatic; the pages look files up the plain way.
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FLOOR_URL = "/bench/hello/"
MIN_PAIRS, MAX_PAIRS, MIN_SECONDS = 5, 25, 1.5


@dataclass(frozen=True)
class Page:
    name: str
    username: str
    path: str  # formatted with the targets: {visit}, {delegation}, {lesson}, {version}, {job}


# The journeys: ministry staff fill a visit and read the knowledge bank; a coordinator runs
# the consultation; the project team follows the programme and its reports.
PAGES = [
    Page("staff dashboard", "staff-py", "/"),
    Page("visit list", "staff-py", "/visits/"),
    Page("visit page", "staff-py", "/visits/{visit}/"),
    Page("visit edit", "staff-py", "/visits/{visit}/edit/"),
    Page("delegations edit", "staff-py", "/visits/{visit}/delegations/"),
    Page("participants edit", "staff-py", "/visits/{visit}/delegations/{delegation}/participants/"),
    Page("agenda", "staff-py", "/visits/{visit}/agenda/"),
    Page("agenda edit", "staff-py", "/visits/{visit}/agenda/edit/"),
    Page("budget edit", "staff-py", "/visits/{visit}/budget/"),
    Page("compliance edit", "staff-py", "/visits/{visit}/compliance/"),
    Page("new finding", "staff-py", "/visits/{visit}/findings/new/"),
    Page("methodology", "staff-py", "/methodology/"),
    Page("lesson list", "staff-py", "/lessons/"),
    Page("lesson search, few matches", "staff-py", f"/lessons/?q={RARE_WORD}"),
    Page("lesson search, almost all match", "staff-py", "/lessons/?q=cuidados"),
    Page("lesson page", "staff-py", "/lessons/{lesson}/"),
    Page("coordinator dashboard", "coordinator", "/"),
    Page("visit list", "coordinator", "/visits/"),
    Page("visit page", "coordinator", "/visits/{visit}/"),
    Page("version list", "coordinator", "/methodology/versions/"),
    Page("version page", "coordinator", "/methodology/versions/{version}/"),
    Page("project team dashboard", "projectteam", "/"),
    Page("visit list", "projectteam", "/visits/"),
    Page("programme figures", "projectteam", "/visits/figures/"),
    Page("reports", "projectteam", "/reports/"),
    Page("report job", "projectteam", "/reports/{job}/"),
]


@dataclass
class Measured:
    page: Page
    url: str
    seconds: float  # median over the pairs
    floor: float  # median of the floor's times over the same pairs
    pairs: int
    queries: int
    peak_bytes: int

    @property
    def ratio(self):
        return self.seconds / self.floor


def targets(visit):
    """The objects the pages show, the same at every scale: the measured visit, its host
    team, a published lesson, the adopted version and a report job of the project team."""
    team = visit.delegations.get(is_host=True)
    projectteam = get_user_model().objects.get(username="projectteam")
    job = ReportJob.objects.filter(requested_by=projectteam).order_by("pk").first()
    return {
        "visit": visit.pk,
        "delegation": team.pk,
        "lesson": Lesson.objects.published().order_by("pk").first().pk,
        "version": MethodologyVersion.objects.adopted().get().number,
        "job": job.pk,
    }


def _clients():
    clients = {}
    for page in PAGES:
        if page.username not in clients:
            client = Client()
            client.force_login(get_user_model().objects.get(username=page.username))
            clients[page.username] = client
    return clients


def _get(client, url):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def measure_page(client, page, url):
    _get(client, url)  # the process's own warm-up (templates compiled, content types read)
    _get(client, FLOOR_URL)
    floors, times = [], []
    while len(times) < MAX_PAIRS and (len(times) < MIN_PAIRS or sum(times) < MIN_SECONDS):
        floors.append(_get(client, FLOOR_URL))
        times.append(_get(client, url))
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    # Counted now: the captured queries are read from the connection's log, which the next
    # request empties.
    query_count = len(queries)
    tracemalloc.start()
    try:
        _get(client, url)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measured(
        page=page,
        url=url,
        seconds=statistics.median(times),
        floor=statistics.median(floors),
        pairs=len(times),
        queries=query_count,
        peak_bytes=peak,
    )


def measure_all(visit, label):
    """Every page of the journeys at the data now in the database."""
    found = targets(visit)
    clients = _clients()
    measured = []
    with override_settings(ROOT_URLCONF="benchmarks.urls", STORAGES=PLAIN_STATIC):
        for page in PAGES:
            url = page.path.format(**found)
            result = measure_page(clients[page.username], page, url)
            print(
                f"  {label} {page.name} [{page.username}]: {result.seconds * 1000:.1f} ms, "
                f"{result.ratio:.1f}× the floor, {result.queries} queries, "
                f"{result.peak_bytes / 1024:.0f} KiB",
                flush=True,
            )
            measured.append(result)
    return measured


def counts_of_visits_and_lessons():
    return Visit.objects.count(), Lesson.objects.count()
