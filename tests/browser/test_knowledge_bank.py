"""The knowledge bank in a browser: the coordinator imports the shipped Knowledge Bank entry
through the page, checks the preview, saves, finds the lesson by searching "peer review",
proposes a criteria revision from it and sees it in the draft methodology version."""

import re
from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import expect

from lessons.models import Lesson, Phase
from tests.support.knowledge_bank import SHARED, SHIPPED, TITLE
from visits.methodology.models import MethodologyVersion

from .pages import sign_in

pytestmark = pytest.mark.browser

ENTRY = SHARED if SHARED.exists() else SHIPPED
NEW_TEXT = (
    "The methodology of each visit is agreed by all partners, from planning to "
    "systematisation, and refined after each visit."
)


@pytest.fixture
def catalogues(transactional_db):
    """The SDGs, added values and phases. A data migration makes them, but the flush after an
    earlier browser test (a transactional one) empties every table: make them again."""
    import_module("lessons.migrations.0002_catalogues").create(apps, None)


@pytest.fixture
def only_version_1(catalogues, demo):
    """The demo's adopted version 1, without its version in consultation, and no lessons
    (the demo fixture does not load the knowledge bank): the import creates the lesson."""
    MethodologyVersion.objects.exclude(number=1).delete()
    assert not Lesson.objects.exists()
    assert Phase.objects.filter(name="Implementation").exists()


def test_coordinator_imports_finds_and_proposes_a_revision(page, live_server, only_version_1):
    sign_in(page, "coordinator")

    # Import the shipped entry through the page: first the preview, nothing saved.
    page.goto("/lessons/")
    page.get_by_role("link", name="Import an entry").click()
    page.get_by_label("Knowledge Bank entry (.txt)").set_input_files(ENTRY)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(
        "section", has=page.get_by_role("heading", name=f"Preview of {ENTRY.name}")
    )
    expect(preview).to_be_visible()
    expect(preview.get_by_text(f"{TITLE} · a new lesson")).to_be_visible()
    matched = preview.locator("div.col-md-4", has_text="13 matched")
    expect(
        matched.get_by_text("Organización Internacional Ítalo-Latinoamericana (IILA) – Italy")
    ).to_be_visible()
    flagged = preview.locator("div.col-md-4", has_text="1 flagged for review")
    expect(flagged.get_by_text("Brasil – Brazil: already waiting for review")).to_be_visible()
    assert not Lesson.objects.exists()

    # Save it.
    page.get_by_role("button", name="Save the lesson").click()
    expect(
        page.get_by_text(f"“{TITLE}” was imported: 1 created, 13 matched, 1 flagged")
    ).to_be_visible()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    lesson = Lesson.objects.get()
    assert lesson.source_file == ENTRY.name

    # Find it by searching "peer review".
    page.goto("/lessons/")
    page.get_by_label("Search the knowledge bank").fill("peer review")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("1 lesson found.")).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="Keywords:")).to_be_visible()
    expect(page.get_by_role("link", name="Peer Review")).to_be_visible()

    # Propose a new criterion from it.
    page.get_by_role("link", name="Propose a revision of the criteria").click()
    expect(page.get_by_text(f"Drawn from the lesson “{TITLE}”.")).to_be_visible()
    # A lesson in draft lends nothing to the proposal, which every member will read.
    expect(page.get_by_label("Title")).to_have_value("")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Code").fill("PLAN-05")
    page.get_by_label("Phase").select_option("planning")
    page.get_by_label("Text").fill(NEW_TEXT)
    page.get_by_role("button", name="Propose").click()

    # It is in the draft version 2, drafted from version 1, with its origin.
    expect(page.get_by_text("Criterion PLAN-05 is in draft version 2.")).to_be_visible()
    expect(page.get_by_role("heading", name="Methodology version 2")).to_be_visible()
    assert re.search(r"/methodology/versions/2/#criterion-\d+$", page.url)
    criterion = page.locator("article.criterion", has_text="PLAN-05")
    expect(criterion).to_contain_text(NEW_TEXT)
    expect(criterion).to_contain_text(f"Origin: Proposed by the lesson “{TITLE}”.")
    expect(page.locator(".change-added")).to_contain_text("PLAN-05")

    draft = MethodologyVersion.objects.get(number=2)
    assert draft.status == MethodologyVersion.Status.DRAFT
    assert draft.criteria.get(code="PLAN-05").origin_lesson == lesson
