"""staff-py signs in and reads the dashboard in Spanish and in Portuguese."""

import pytest
from django.utils import translation

from .pages import sign_in

pytestmark = pytest.mark.browser


def translated(language, text):
    with translation.override(language):
        result = translation.gettext(text)
    assert result != text, f"{text!r} has no {language} translation"
    return result


def test_staff_switches_the_dashboard_to_spanish_and_portuguese(page, transactional_db, demo):
    sign_in(page, "staff-py")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Welcome, María José Giménez").is_visible()
    assert page.get_by_role("link", name="Dashboard").is_visible()

    current = "en"
    for language in ("es", "pt"):
        label = "Language" if current == "en" else translated(current, "Language")
        with page.expect_navigation():
            page.get_by_label(label).select_option(language)
        current = language
        assert page.locator("html").get_attribute("lang") == language
        welcome = translated(language, "Welcome, %(name)s") % {"name": "María José Giménez"}
        assert page.get_by_role("heading", name=welcome).is_visible()
        assert page.get_by_role("link", name=translated(language, "Dashboard")).is_visible()
        assert page.get_by_text(translated(language, "Your place in the programme")).is_visible()
