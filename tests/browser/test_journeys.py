"""The three end-to-end journeys of the design (§7), clicked through in a real browser
against the live server, with a real Celery worker running beside it (`report_worker`):
it renders the reports and sends the consultation's e-mails.

a. Ministry staff plan, conduct and systematise a visit, in Spanish; the coordinator
   approves the plan and closes the visit.
b. A coordinator turns a published lesson into a new criterion, consults the six partner
   countries and adopts the version that contains it.
c. The project team requests the four kinds of report and downloads the PDFs.

With DOCS_SCREENSHOTS=1 (`make docs-screenshots`) the journeys also write the user guide's
pictures, docs/img/*.png.
"""

import re
from datetime import timedelta
from importlib import import_module
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from reports.models import ReportJob
from tests.support.knowledge_bank import TITLE
from visits.methodology.models import MethodologyVersion
from visits.models import Visit

from .pages import docs_screenshot, sign_in, sign_out, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker]

JOB_PAGE = re.compile(r"/reports/(\d+)/$")


@pytest.fixture
def catalogues(transactional_db):
    """The SDGs, added values and phases of the knowledge bank (see test_knowledge_bank)."""
    import_module("lessons.migrations.0002_catalogues").create(apps, None)


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    return context.new_page()


def nav(page, name):
    """A link of the navigation bar."""
    return page.locator(".site-navbar").get_by_role("link", name=name, exact=True)


def dashboard_list(page, heading):
    """The list under a heading of the dashboard's visits panel."""
    return (
        page.locator("#visits-heading")
        .locator("xpath=../..")
        .locator(f"h3:text-is('{heading}') + ul")
    )


def status_badge(page):
    """The visit's status, next to its label under the title."""
    return page.locator("h1 + p .badge").first


def expect_message(page, text):
    expect(page.locator(".alert", has_text=text).first).to_be_visible()


# --- a. Ministry staff plan, conduct and systematise a visit (in Spanish) ---------------


def test_staff_plan_conduct_and_systematise_a_visit_in_spanish(
    page, live_server, transactional_db, demo, report_worker
):
    start = timezone.localdate() - timedelta(days=12)
    title = "Cuidados a domicilio para personas mayores en Itapúa"

    # Spanish first, with the switcher of the navigation bar; the choice (a cookie) stays
    # across signing out and in.
    page.goto("/")
    switch_language(page, "es")
    sign_in(page, "staff-py", language="es")
    expect(
        page.get_by_role("heading", name="Le damos la bienvenida, María José Giménez")
    ).to_be_visible()
    docs_screenshot(page, "staff-dashboard")

    # The plan.
    page.get_by_role("link", name="Planificar una visita").first.click()
    page.get_by_label("Título").fill(title)
    page.get_by_label("Objetivos").fill("Conocer los equipos de cuidado a domicilio del anfitrión.")
    page.get_by_label("Enfoque temático").select_option("older_people")
    page.get_by_label("Ciudad").fill("Encarnación")
    page.get_by_label("Fecha de inicio").fill(start.isoformat())
    page.get_by_label("Fecha de término").fill((start + timedelta(days=1)).isoformat())
    page.get_by_label("Ministerio de la Niñez y la Adolescencia").check()
    docs_screenshot(page, "staff-visit-plan-form")
    page.get_by_role("button", name="Guardar").click()
    expect_message(page, "Se creó la visita.")
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(status_badge(page)).to_have_text("Borrador")
    visit = Visit.objects.get(title=title)

    # Two visiting delegations.
    page.get_by_role("link", name="Editar las delegaciones visitantes").click()
    page.locator("#id_delegations-0-country").select_option(label="Uruguay")
    page.locator("#id_delegations-1-country").select_option(label="Chile")
    page.get_by_role("button", name="Guardar").click()
    expect_message(page, "Se guardaron las delegaciones.")

    # The host team's participants.
    page.get_by_role("link", name="Editar participantes (Paraguay)").click()
    page.locator("#id_participants-0-person").select_option(label="Carlos Benítez")
    page.locator("#id_participants-0-role").select_option("political")
    page.locator("#id_participants-1-person").select_option(label="María José Giménez")
    page.locator("#id_participants-1-role").select_option("technical")
    page.get_by_role("button", name="Guardar").click()
    expect_message(page, "Se guardaron los participantes.")

    # A two-day agenda.
    page.get_by_role("link", name="Editar la agenda").click()
    for index, (day, begin, end, item, kind) in enumerate(
        [
            (start, "09:00", "12:00", "Reunión con los equipos de cuidado a domicilio", "meeting"),
            (start + timedelta(days=1), "10:00", "13:00", "Visita a una familia", "site_visit"),
        ]
    ):
        page.locator(f"#id_agenda_items-{index}-day").fill(day.isoformat())
        page.locator(f"#id_agenda_items-{index}-start_time").fill(begin)
        page.locator(f"#id_agenda_items-{index}-end_time").fill(end)
        page.locator(f"#id_agenda_items-{index}-title").fill(item)
        page.locator(f"#id_agenda_items-{index}-kind").select_option(kind)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Visita a una familia").first).to_be_visible()

    page.get_by_role("button", name="Enviar el plan para su aprobación").click()
    expect(page.get_by_text("espera la aprobación de la coordinación")).to_be_visible()
    expect(status_badge(page)).to_have_text("Enviado — pendiente de aprobación")
    docs_screenshot(page, "staff-visit-submitted")

    # The coordinator completes Uruguay's delegation and approves the plan.
    sign_out(page, "Cerrar sesión")
    sign_in(page, "coordinator", language="es")
    # The plan heads the coordinator's to-do list.
    page.locator("#todo li", has_text=title).get_by_role(
        "link", name="Apruebe o devuelva el plan enviado."
    ).click()
    page.get_by_role("link", name="Editar participantes (Uruguay)").click()
    page.locator("#id_participants-0-person").select_option(label="Lucía Pereira")
    page.locator("#id_participants-0-role").select_option("political")
    page.get_by_role("button", name="Guardar").click()
    expect_message(page, "Se guardaron los participantes.")
    docs_screenshot(page, "coordinator-approve-plan")
    page.get_by_role("button", name="Aprobar el plan").click()
    expect_message(page, "Hecho: aprobar el plan.")
    expect(status_badge(page)).to_have_text("Planificada")

    # After the visit, the host's staff record what happened.
    sign_out(page, "Cerrar sesión")
    sign_in(page, "staff-py", language="es")
    dashboard_list(page, "En curso").get_by_role("link", name=title).click()
    page.get_by_role("button", name="Marcar como realizada").click()
    expect_message(page, "Hecho: marcar como realizada.")
    expect(status_badge(page)).to_have_text("Realizada")

    for kind, finding, text in [
        (
            "best_practice",
            "Equipos que visitan a cada familia",
            "Cada equipo acompaña a las mismas familias durante años.",
        ),
        (
            "recommendation",
            "Registrar las visitas en un sistema común",
            "Un registro compartido permitiría seguir a las familias entre servicios.",
        ),
    ]:
        page.get_by_role("link", name="Añadir un hallazgo").click()
        page.get_by_label("Tipo").select_option(kind)
        page.get_by_label("Título").fill(finding)
        page.get_by_label("Texto").fill(text)
        page.get_by_role("button", name="Guardar").click()
        expect_message(page, "Se guardó el hallazgo.")
        expect(page.get_by_role("heading", name=finding)).to_be_visible()

    for person, rating in [("Carlos Benítez", "4"), ("María José Giménez", "5")]:
        page.get_by_role("link", name=f"Registrar la evaluación ({person})").click()
        for dimension in ("preparation", "relevance", "exchange_quality", "use_of_time"):
            page.locator(f"input[name={dimension}][value='{rating}']").check()
        page.get_by_role("button", name="Guardar").click()
        expect_message(page, "Se guardó la evaluación.")

    page.get_by_role("link", name="Editar el presupuesto").click()
    for index, (category, planned, actual) in enumerate(
        [("travel", "3600", "3410.50"), ("accommodation", "1200", "1350")]
    ):
        page.locator(f"#id_budget_lines-{index}-category").select_option(category)
        page.locator(f"#id_budget_lines-{index}-planned").fill(planned)
        page.locator(f"#id_budget_lines-{index}-actual").fill(actual)
        page.locator(f"#id_budget_lines-{index}-currency").fill("USD")
    page.get_by_role("button", name="Guardar").click()
    expect_message(page, "Se guardó el presupuesto.")
    budget = page.locator("#budget")
    expect(budget.get_by_role("cell", name="Viajes")).to_be_visible()

    page.get_by_role("link", name="Completar la lista de verificación").click()
    for select in page.locator("select[name$='-status']").all():
        select.select_option("met")
    page.get_by_role("button", name="Guardar").click()
    expect_message(page, "Se guardó la lista de verificación del cumplimiento.")
    docs_screenshot(page, "staff-visit-findings", scroll_to=page.locator("#findings"))

    page.get_by_role("button", name="Marcar como sistematizada").click()
    expect_message(page, "Hecho: marcar como sistematizada.")
    expect(status_badge(page)).to_have_text("Sistematizada")

    # The coordinator closes the visit.
    visit_url = urlparse(page.url).path
    sign_out(page, "Cerrar sesión")
    sign_in(page, "coordinator", language="es")
    page.goto(visit_url)
    # Closing cannot be undone: a page says so, and the coordinator confirms there.
    page.get_by_role("link", name="Cerrar la visita…").click()
    expect(page.get_by_text("Esto no se puede deshacer.", exact=True)).to_be_visible()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Cerrar la visita").click()
    expect_message(page, "Hecho: cerrar la visita.")
    expect(status_badge(page)).to_have_text("Cerrada")
    expect(page.locator("html")).to_have_attribute("lang", "es")

    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED
    assert visit.methodology_version.number == 1
    assert visit.delegations.filter(is_host=False).count() == 2
    assert visit.findings.count() == 2 and visit.evaluations.count() == 2
    assert sorted(str(line.actual) for line in visit.budget_lines.all()) == ["1350.00", "3410.50"]
    assert not visit.compliance_checks.exclude(status="met").exists()


# --- b. A lesson becomes a criterion, consulted with six partners and adopted ----------

LESSON_TITLE = TITLE  # the programme's Knowledge Bank entry, published by the demo
NEW_CRITERION = (
    "Before each visit, the partners agree its methodology together, from planning to "
    "systematisation, and refine it after the visit."
)
FOCAL_POINTS = {
    "staff-br": ("Agree", ""),
    "staff-cl": ("Agree with comments", "Chile agrees; please share the agreed plan in Spanish."),
    "staff-co": ("Agree", ""),
    "staff-cr": ("Agree", ""),
    "staff-py": ("Agree", ""),
    "staff-uy": ("Agree", ""),
}


@pytest.fixture
def knowledge_bank(catalogues, demo):
    """The demo's adopted version 1 without its version in consultation, and the demo
    knowledge bank with the programme's published lesson."""
    from lessons import demo as lessons_demo

    MethodologyVersion.objects.exclude(number=1).delete()
    lessons_demo.load()


def answer_as(browser, live_server, username, answer, comment, screenshot=None):
    """A focal point signs in, answers from the dashboard and signs out."""
    page = new_page(browser, live_server)
    try:
        sign_in(page, username)
        consultations = page.locator(
            "section", has=page.get_by_role("heading", name="Open consultations on the methodology")
        )
        expect(consultations.get_by_text("Your country has not answered yet")).to_be_visible()
        consultations.get_by_role("link", name="Answer now").click()
        page.get_by_label(answer, exact=True).check()
        page.get_by_label("Comment", exact=True).fill(comment)
        if screenshot:
            docs_screenshot(page, screenshot)
        page.get_by_role("button", name="Send the answer").click()
        expect(page.get_by_text("is recorded")).to_be_visible()
        sign_out(page)
    finally:
        page.context.close()


def test_coordinator_turns_a_lesson_into_an_adopted_criterion(
    page, browser, live_server, knowledge_bank, report_worker
):
    sign_in(page, "coordinator")
    docs_screenshot(page, "coordinator-dashboard")

    # From the published lesson in the knowledge bank, propose a new criterion.
    nav(page, "Knowledge bank").click()
    page.get_by_role("link", name=LESSON_TITLE).click()
    expect(page.get_by_role("heading", name=LESSON_TITLE, level=1)).to_be_visible()
    page.get_by_role("link", name="Propose a revision of the criteria").click()
    expect(page.get_by_text(f"Drawn from the lesson “{LESSON_TITLE}”.")).to_be_visible()
    page.get_by_label("Code").fill("PLAN-05")
    page.get_by_label("Phase").select_option("planning")
    page.get_by_label("Title").fill("A methodology agreed for each visit")
    page.get_by_label("Text").fill(NEW_CRITERION)
    docs_screenshot(page, "coordinator-propose-criterion")
    page.get_by_role("button", name="Propose").click()

    # It lands in draft version 2, drafted from the adopted version 1.
    expect(page.get_by_text("Criterion PLAN-05 is in draft version 2.")).to_be_visible()
    expect(page.get_by_role("heading", name="Methodology version 2")).to_be_visible()
    expect(page.locator(".change-added")).to_contain_text("PLAN-05")

    # Open the consultation.
    page.get_by_label("Deadline for answers").fill(
        (timezone.localdate() + timedelta(days=14)).isoformat()
    )
    docs_screenshot(page, "coordinator-open-consultation")
    page.get_by_role("button", name="Open the consultation").click()
    expect(page.get_by_text("The consultation is open.")).to_be_visible()
    expect(page.get_by_text("The version cannot be adopted yet.")).to_be_visible()
    assert page.get_by_role("link", name="Adopt this version").count() == 0

    # The six focal points answer; Chile with comments.
    for username, (answer, comment) in FOCAL_POINTS.items():
        screenshot = "staff-consultation-answer" if username == "staff-cl" else None
        answer_as(browser, live_server, username, answer, comment, screenshot)

    # Every partner answered and nobody objects: adopt.
    page.reload()
    expect(
        page.get_by_text("Every partner country has answered and no objection stands")
    ).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^Chile Agree with comments"))).to_be_visible()
    docs_screenshot(page, "coordinator-version-adoption")
    page.get_by_role("link", name="Adopt this version").click()
    page.get_by_role("checkbox", name=re.compile("I understand")).check()
    page.get_by_role("button", name="Adopt the version").click()
    expect(page.get_by_text("Version 2 is adopted")).to_be_visible()

    # The adopted methodology shows the new criterion with its origin.
    nav(page, "Methodology").click()
    expect(page.get_by_text(re.compile(r"^Version 2, jointly agreed"))).to_be_visible()
    criterion = page.locator("article.criterion", has_text="PLAN-05")
    expect(criterion).to_contain_text(NEW_CRITERION)
    expect(criterion).to_contain_text(f"Origin: Proposed by the lesson “{LESSON_TITLE}”.")
    docs_screenshot(page, "methodology-adopted")

    assert MethodologyVersion.objects.get(number=1).status == "superseded"
    adopted = MethodologyVersion.objects.get(number=2)
    assert adopted.status == "adopted"
    assert adopted.endorsements.filter(consultation_round=adopted.consultation_round).count() == 6


# --- c. The project team requests the four reports and downloads them ------------------

VISIT_TITLE = "The National Integrated Care System from the inside"


@pytest.fixture
def programme(catalogues, demo_visits):
    """The demo visits and the demo knowledge bank (its illustrative lessons come from the
    visits' findings)."""
    from lessons import demo as lessons_demo

    lessons_demo.load()


def follow_and_download(page, screenshot=None):
    """On a job page: wait for the worker, download the PDF and read it back."""
    page.wait_for_url(lambda url: JOB_PAGE.search(urlparse(url).path))
    job = ReportJob.objects.get(pk=JOB_PAGE.search(urlparse(page.url).path).group(1))
    expect(page.get_by_role("heading", name=job.title, level=1)).to_be_visible()
    download_link = page.get_by_role("link", name="Download PDF")
    download_link.wait_for(state="visible", timeout=90_000)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.error_detail
    if screenshot:
        docs_screenshot(page, screenshot)
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(download.path())
    assert len(reader.pages) == job.pages >= 1
    assert reader.metadata.title == job.title
    return job


def test_project_team_requests_and_downloads_the_four_reports(
    page, live_server, programme, report_worker
):
    sign_in(page, "projectteam")
    docs_screenshot(page, "project-team-dashboard")

    # A visit's systematisation, from the visit's page.
    nav(page, "Visits").click()
    page.get_by_role("link", name=VISIT_TITLE).click()
    page.get_by_role("button", name="Generate report").click()
    job = follow_and_download(page, "report-job")
    assert (job.kind, job.language) == ("visit", "en")
    assert job.target_id == Visit.objects.get(title=VISIT_TITLE).pk

    # A lesson sheet, from the lesson's page.
    nav(page, "Knowledge bank").click()
    page.get_by_role("link", name=LESSON_TITLE).click()
    page.get_by_role("button", name="Lesson sheet (PDF)").click()
    assert follow_and_download(page).kind == "lesson"

    # The methodology and the programme overview, from the reports page.
    nav(page, "Reports").click()
    docs_screenshot(page, "reports-request")
    page.get_by_role("button", name="Adopted methodology").click()
    assert follow_and_download(page).kind == "methodology"

    nav(page, "Reports").click()
    page.get_by_role("button", name="Programme overview").click()
    assert follow_and_download(page).kind == "overview"

    # The list of the team's reports, each with its download.
    nav(page, "Reports").click()
    expect(page.get_by_role("link", name=re.compile("^Download PDF"))).to_have_count(4)
    docs_screenshot(page, "reports-list")
    assert ReportJob.objects.filter(status=ReportJob.Status.DONE).count() == 4
