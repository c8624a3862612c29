"""
Every page each role reaches passes axe-core with no critical or serious violation.

For each role the test signs in, starts at the dashboard and follows same-origin
links breadth-first, visiting at most one URL per Django URL pattern (so the crawl
is bounded), plus a few pages only forms lead to. That includes Django's admin, which
the project team reaches from the navigation bar: its index, each app's index, and
each model's list, forms, history and deletion page (templates/admin/ and
static/css/admin.css, static/js/admin.js make it pass). axe-core comes from npm
(``node_modules/axe-core``, installed by ``make assets``); the site's
Content-Security-Policy forbids the injected script, so these pages run with
``bypass_csp``; it is injected by an init script, which the browser runs on every page it
loads (sending the 500 kB script to each page took a third of the crawl's time). The admin is
crawled by a test of its own, so the two halves run on both cores.
"""

import os
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve, reverse

from countries.models import Country
from lessons.models import Lesson
from reports.models import ReportJob
from visits.models import Visit

from .pages import page_of_own_context, sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
REPORTED_IMPACTS = {"critical", "serious"}

# Never followed: signing out, switching language (POST), JSON, scripts, redirects away
# from the admin, downloads.
SKIPPED_PREFIXES = (
    "/accounts/logout/",
    "/i18n/",
    "/healthz/",
    "/static/",
    "/media/",
    "/admin/logout/",
    "/admin/autocomplete/",
    "/admin/jsi18n/",
    "/admin/r/",
)
SKIPPED_SUFFIXES = (".ics", "/export.txt", ".pdf")
DOWNLOADS = {
    "visits:agenda_ics",
    "visits:attachment_download",
    "reports:job_download",
    "lessons:lesson_export",
}

RUN_AXE = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}
"""


@pytest.fixture
def axe_script():
    if not AXE.exists():
        message = f"{AXE.relative_to(AXE.parents[2])} is missing: run `npm ci` (or `make assets`)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


@pytest.fixture
def axe_page(request, browser, live_server, axe_script):
    """A page of its own context whose CSP does not block the injected axe-core."""
    with page_of_own_context(request, browser, live_server, bypass_csp=True) as page:
        page.context.add_init_script(path=str(axe_script))
        yield page


class Audit:
    """Visits pages, runs axe on each and keeps what it finds."""

    def __init__(self, page, live_server):
        self.page = page
        self.origin = urlparse(live_server.url).netloc
        self.audited = []
        self.problems = []

    def run_axe(self, label):
        self.audited.append(label)
        for violation in self.page.evaluate(RUN_AXE, WCAG_TAGS):
            if violation["impact"] in REPORTED_IMPACTS:
                self.problems.append(
                    f"{label}: {violation['id']} ({violation['impact']}: {violation['help']}) "
                    f"at {', '.join(violation['targets'][:5])}"
                )

    def visit(self, url, label=None):
        response = self.page.goto(url)
        if response is not None and response.status >= 500:
            self.problems.append(f"{url}: answered {response.status}")
        self.run_axe(label or url)

    def links(self):
        hrefs = self.page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
        for href in hrefs:
            parsed = urlparse(href)
            if parsed.scheme in ("http", "https") and parsed.netloc == self.origin:
                yield parsed

    def crawl(self, start="/", follow=lambda path: True):
        """Breadth-first from ``start``: one URL per URL pattern, GET only, following the
        paths ``follow`` accepts (``reached`` also names the patterns of the others)."""
        seen = self.reached = {pattern_key(start)}
        queue = deque([start])
        while queue:
            url = queue.popleft()
            self.visit(url)
            for parsed in self.links():
                path = parsed.path
                if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES):
                    continue
                if "/download/" in path:
                    continue
                query = [(k, v) for k, v in parse_qsl(parsed.query) if k != "page"]
                if path.startswith("/admin/"):
                    query = []  # No popups, no filtered or sorted changelists.
                key = pattern_key(path)
                if key is None or key in seen or key in DOWNLOADS:
                    continue
                seen.add(key)
                if follow(path):
                    queue.append(path + (f"?{urlencode(query)}" if query else ""))

    def assert_clean(self):
        assert self.audited
        assert not self.problems, (
            f"{len(self.problems)} critical or serious axe violations "
            f"on {len(self.audited)} pages:\n" + "\n".join(self.problems)
        )


def pattern_key(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name == "admin:app_list":
        # The admin's URL patterns are per model already; its app indexes share one.
        return f"{match.view_name}:{match.kwargs['app_label']}"
    return match.view_name


def submit_first_form(page, selector="main form[method=post]"):
    """Submits the page's main form as it stands (mostly empty: errors to audit)."""
    form = page.locator(selector).first
    with page.expect_navigation():
        form.locator("[type=submit]").last.click()


@pytest.fixture
def site(transactional_db, demo_visits):
    """The demo visits, one of them conducted, report jobs and a lesson to look at."""
    conducted = Visit.objects.get(status=Visit.Status.PLANNED)
    conducted.status = Visit.Status.CONDUCTED
    conducted.save(update_fields=["status"])
    draft = Visit.objects.get(status=Visit.Status.DRAFT)
    closed = Visit.objects.filter(status=Visit.Status.CLOSED, findings__isnull=False).first()
    jobs = {}
    for username in ("projectteam", "coordinator", "staff-py"):
        user = get_user_model().objects.get(username=username)
        jobs[username] = [
            ReportJob.objects.create(
                kind=ReportJob.Kind.VISIT,
                target_id=closed.pk,
                title=f"Systematisation: {closed.title}",
                language="en",
                requested_by=user,
                status=status,
                progress=progress,
                error=error,
                input_hash=f"{username}-{status}",
            )
            for status, progress, error in [
                (ReportJob.Status.RUNNING, 40, ""),
                (ReportJob.Status.DONE, 100, ""),
                (ReportJob.Status.FAILED, 10, "The report could not be rendered."),
            ]
        ]
    # A lesson, for the knowledge bank's pages and the admin's lesson forms.
    lesson = Lesson.objects.create(
        title="Shared care registries", status=Lesson.Status.PUBLISHED, description="Learnt."
    )
    lesson.countries.add(*Country.objects.all()[:2])
    return {"draft": draft, "conducted": conducted, "closed": closed, "jobs": jobs}


def visit_pages(visit):
    names = [
        "visit_update",
        "delegations",
        "agenda_edit",
        "finding_create",
        "budget",
        "compliance",
        "history",
    ]
    urls = [reverse(f"visits:{name}", args=[visit.pk]) for name in names]
    for delegation in visit.delegations.all()[:1]:
        urls.append(reverse("visits:participants", args=[visit.pk, delegation.pk]))
    participant = visit.delegations.filter(participants__isnull=False).first()
    if participant is not None:
        person = participant.participants.first()
        urls.append(reverse("visits:evaluation", args=[visit.pk, person.pk]))
    finding = visit.findings.first()
    if finding is not None:
        urls.append(reverse("visits:finding_update", args=[visit.pk, finding.pk]))
    return urls


def admin_states(audit):
    """The admin's autocomplete box, open: its list and the search field in it."""
    page = audit.page
    page.goto(reverse("admin:countries_membership_add"))
    page.locator(".select2-selection").first.click()
    page.locator(".select2-results__option--highlighted").wait_for()
    audit.run_axe("admin membership form (autocomplete open)")


def form_pages(audit, site, username):
    """Pages only forms lead to: edit pages, errors, report jobs, the lesson import."""
    page = audit.page
    for visit in (site["draft"], site["conducted"]):
        for url in visit_pages(visit):
            audit.visit(url)
    for job in site["jobs"].get(username, []):
        audit.visit(job.get_absolute_url(), f"{job.get_absolute_url()} ({job.status})")
    audit.visit("/reports/")
    audit.visit("/lessons/import/")
    audit.visit("/visits/no-such-visit/", "404 page")
    # Forms with errors.
    page.goto("/visits/new/")
    if page.locator("main form[method=post]").count():
        submit_first_form(page)
        audit.run_axe("/visits/new/ (with errors)")
    page.goto(reverse("visits:finding_create", args=[site["conducted"].pk]))
    if page.locator("main form[method=post]").count():
        submit_first_form(page)
        audit.run_axe("finding form (with errors)")


ROLES = ["staff-py", "staff-uy", "coordinator", "projectteam"]


def test_anonymous_pages_pass_axe(axe_page, live_server, site):
    audit = Audit(axe_page, live_server)
    audit.crawl("/")
    audit.visit("/accounts/login/")
    axe_page.get_by_label("Username").fill("staff-py")
    axe_page.get_by_label("Password").fill("wrong password")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Sign in").click()
    audit.run_axe("/accounts/login/ (with an error)")
    audit.visit("/visits/no-such-visit/", "404 page")
    audit.assert_clean()


def outside_the_admin(path):
    return not path.startswith("/admin/")


@pytest.mark.parametrize("username", ROLES)
def test_signed_in_pages_pass_axe(axe_page, live_server, site, username):
    audit = Audit(axe_page, live_server)
    sign_in(axe_page, username)
    audit.crawl("/", follow=outside_the_admin)
    assert {"home", "visits:visit_list", "visits:visit_detail", "lessons:lesson_list"} <= (
        audit.reached
    )
    # Administration is in the project team's navigation bar only.
    assert ("admin:index" in audit.reached) == (username == "projectteam")
    form_pages(audit, site, username)
    audit.assert_clean()


def test_admin_pages_pass_axe(axe_page, live_server, site):
    """One of each kind of admin page, as the project team reaches them from its index."""
    audit = Audit(axe_page, live_server)
    sign_in(axe_page, "projectteam")
    audit.crawl("/admin/", follow=lambda path: not outside_the_admin(path))
    assert {
        "admin:index",
        "admin:app_list:visits",
        "admin:visits_visit_changelist",
        "admin:visits_visit_change",
        "admin:visits_visit_simple_history",
        "admin:countries_actor_add",
        "admin:countries_actor_delete",
        "admin:lessons_lesson_simple_history",
    } <= audit.reached
    admin_states(audit)
    audit.assert_clean()
