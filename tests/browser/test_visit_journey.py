"""Ministry staff plan, conduct and systematise a visit in the browser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from visits.models import Visit

from .pages import sign_in

pytestmark = pytest.mark.browser


def click_and_expect(page, button, text):
    page.get_by_role("button", name=button).click()
    assert page.get_by_text(text).first.is_visible(), text


def test_staff_plans_and_systematises_a_visit(page, browser, live_server, transactional_db, demo):
    start = timezone.localdate() - timedelta(days=12)
    sign_in(page, "staff-py")

    # The plan.
    page.goto("/visits/new/")
    page.get_by_label("Title").fill("Home care for older people in Itapúa")
    page.get_by_label("Objectives").fill("Learn from the host's home care teams.")
    page.get_by_label("Thematic focus").select_option("older_people")
    page.get_by_label("City").fill("Encarnación")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill((start + timedelta(days=1)).isoformat())
    page.get_by_label("Ministerio de la Niñez y la Adolescencia").check()
    click_and_expect(page, "Save", "The visit was created.")
    visit = Visit.objects.get(title="Home care for older people in Itapúa")
    assert visit.label == "Paraguay, visit 1"

    # Two visiting delegations.
    page.get_by_role("link", name="Edit the visiting delegations").click()
    page.locator("#id_delegations-0-country").select_option(label="Uruguay")
    page.locator("#id_delegations-1-country").select_option(label="Chile")
    click_and_expect(page, "Save", "The delegations were saved.")

    # The host team's participants.
    page.get_by_role("link", name="Edit participants (Paraguay)").click()
    page.locator("#id_participants-0-person").select_option(label="Carlos Benítez")
    page.locator("#id_participants-0-role").select_option("political")
    click_and_expect(page, "Save", "The participants were saved.")

    # A two-day agenda.
    page.get_by_role("link", name="Edit the agenda").click()
    for index, (day, begin, end, title) in enumerate(
        [
            (start, "09:00", "12:00", "Meeting with the home care teams"),
            (start + timedelta(days=1), "10:00", "13:00", "Visit to a family"),
        ]
    ):
        page.locator(f"#id_agenda_items-{index}-day").fill(day.isoformat())
        page.locator(f"#id_agenda_items-{index}-start_time").fill(begin)
        page.locator(f"#id_agenda_items-{index}-end_time").fill(end)
        page.locator(f"#id_agenda_items-{index}-title").fill(title)
        page.locator(f"#id_agenda_items-{index}-kind").select_option("site_visit")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Visit to a family").first.is_visible()

    click_and_expect(page, "Submit the plan for approval", "awaits the coordinator's approval")

    # The coordinator approves the plan.
    coordinator = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    sign_in(coordinator, "coordinator")
    coordinator.goto(visit.get_absolute_url())
    click_and_expect(coordinator, "Approve the plan", "Done: approve the plan.")
    coordinator.context.close()

    # After the visit: findings, evaluation, budget, compliance.
    page.reload()
    click_and_expect(page, "Mark as conducted", "Done: mark as conducted.")

    page.get_by_role("link", name="Add a finding").click()
    page.get_by_label("Kind").select_option("best_practice")
    page.get_by_label("Title").fill("Teams that visit every family")
    page.get_by_label("Text").fill("Each team follows the same families for years.")
    click_and_expect(page, "Save", "The finding was saved.")

    page.get_by_role("link", name="Record the evaluation (Carlos Benítez)").click()
    for dimension in ("preparation", "relevance", "exchange_quality", "use_of_time"):
        page.locator(f"input[name={dimension}][value='4']").check()
    click_and_expect(page, "Save", "The evaluation was saved.")

    page.get_by_role("link", name="Edit the budget").click()
    page.locator("#id_budget_lines-0-category").select_option("travel")
    page.locator("#id_budget_lines-0-planned").fill("3600")
    page.locator("#id_budget_lines-0-actual").fill("3410.50")
    page.locator("#id_budget_lines-0-currency").fill("USD")
    click_and_expect(page, "Save", "The budget was saved.")

    page.get_by_role("link", name="Fill the checklist").click()
    for select in page.locator("select[name$='-status']").all():
        select.select_option("met")
    click_and_expect(page, "Save", "The compliance checklist was saved.")

    click_and_expect(page, "Mark as systematised", "Done: mark as systematised.")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SYSTEMATISED
    assert visit.methodology_version.number == 1
    assert visit.budget_lines.get().actual == 3410.50
