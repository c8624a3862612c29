"""The whole consultation in a browser: draft, consult six partners, adopt."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from visits.methodology.models import MethodologyVersion

from .pages import sign_in

pytestmark = pytest.mark.browser

NEW_PREP_01 = (
    "High-level officials take part in one dedicated day at most, which they may also join "
    "remotely; technical teams carry the rest of the programme."
)
ANSWERS = {
    "staff-br": "Agree",
    "staff-cl": "Agree with comments",
    "staff-co": "Object",
    "staff-cr": "Agree",
    "staff-py": "Agree",
    "staff-uy": "Agree",
}


@pytest.fixture
def only_version_1(transactional_db, demo):
    """The demo's adopted version 1, without the demo's version in consultation."""
    MethodologyVersion.objects.exclude(number=1).delete()


def answer_as(browser, live_server, username, answer, comment=""):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, username)
        page.goto("/methodology/versions/2/")
        page.get_by_role("link", name="Answer for your country").click()
        page.get_by_label(answer, exact=True).check()
        page.get_by_label("Comment", exact=True).fill(comment)
        page.get_by_role("button", name="Send the answer").click()
        assert page.get_by_text("is recorded").is_visible()
    finally:
        context.close()


def test_coordinator_runs_a_consultation_to_adoption(page, browser, live_server, only_version_1):
    sign_in(page, "coordinator")

    # Draft version 2 from the adopted version and change one criterion.
    page.goto("/methodology/versions/")
    page.get_by_role("button", name="Draft a new version").click()
    assert page.get_by_role("heading", name="Methodology version 2").is_visible()
    page.get_by_role("link", name="Edit PREP-01").click()
    page.get_by_label("Text").fill(NEW_PREP_01)
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Criterion PREP-01 saved.").is_visible()

    # Open the consultation.
    deadline = timezone.localdate() + timedelta(days=14)
    page.get_by_label("Deadline for answers").fill(deadline.isoformat())
    page.get_by_role("button", name="Open the consultation").click()
    assert page.get_by_text("The consultation is open.").is_visible()

    # The six focal points answer; Colombia objects.
    for username, answer in ANSWERS.items():
        comment = {
            "staff-cl": "Please keep the remote option short.",
            "staff-co": "One day is too long for our vice-minister.",
        }.get(username, "")
        answer_as(browser, live_server, username, answer, comment)

    page.reload()
    assert page.get_by_text("Colombia objects: One day is too long").is_visible()
    assert page.get_by_role("link", name="Adopt this version").count() == 0

    # Colombia withdraws its objection; now the version can be adopted.
    answer_as(browser, live_server, "staff-co", "Agree")
    page.reload()
    history = page.locator("#answer-history")
    assert "Objection withdrawn" in history.inner_text()
    assert "One day is too long for our vice-minister." in history.inner_text()
    page.get_by_role("link", name="Adopt this version").click()
    # The second step says what adopting does; without the box ticked nothing happens.
    assert page.get_by_text("This cannot be undone.", exact=True).is_visible()
    page.get_by_role("button", name="Adopt the version").click()
    assert page.get_by_text("Tick the box to confirm the adoption.").is_visible()
    assert MethodologyVersion.objects.get(number=2).status == "consultation"
    page.get_by_role("checkbox", name=re.compile("I understand")).check()
    page.get_by_role("button", name="Adopt the version").click()
    assert page.get_by_text("Version 2 is adopted").is_visible()

    assert MethodologyVersion.objects.get(number=1).status == "superseded"
    assert MethodologyVersion.objects.get(number=2).status == "adopted"

    # The version page shows what changed against version 1.
    page.goto("/methodology/versions/2/")
    change = page.locator(".change-changed")
    assert change.count() == 1
    assert "PREP-01" in change.inner_text()
    assert any("remotely" in text for text in change.locator("ins").all_inner_texts())
    page.goto("/methodology/versions/")
    assert page.get_by_role("row", name="Methodology version 1 Superseded").is_visible()
