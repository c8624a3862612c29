"""Two tabs edit the same visit: the second save is refused and nothing is overwritten."""

import pytest

from visits.models import Visit

from .pages import sign_in

pytestmark = pytest.mark.browser


def test_second_tab_is_refused_and_keeps_its_input(page, transactional_db, demo_visits):
    visit = Visit.objects.get(status=Visit.Status.DRAFT)
    sign_in(page, "staff-py")
    second = page.context.new_page()
    page.goto(f"/visits/{visit.pk}/edit/")
    second.goto(f"/visits/{visit.pk}/edit/")

    page.get_by_label("Title").fill("Community care: the first tab's title")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("The visit was saved.").is_visible()

    second.get_by_label("Objectives").fill("Objectives typed in the second tab")
    second.get_by_role("button", name="Save").click()
    assert second.get_by_text("Somebody else saved this in the meantime.").is_visible()
    assert second.get_by_label("Objectives").input_value() == "Objectives typed in the second tab"
    assert second.get_by_role("link", name="Open the current version of the visit").is_visible()

    visit.refresh_from_db()
    assert visit.title == "Community care: the first tab's title"
    assert visit.objectives != "Objectives typed in the second tab"
