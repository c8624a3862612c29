"""Steps that several browser tests take."""

import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
DOCS_VIEWPORT = {"width": 1280, "height": 800}

# The sign-in form's labels in the languages the journeys use.
SIGN_IN_LABELS = {
    "en": ("Username", "Password", "Sign in"),
    "es": ("Nombre de usuario", "Contraseña", "Iniciar sesión"),
}


def sign_in(page, username, password="peervisits-demo", language="en"):
    user_label, password_label, button = SIGN_IN_LABELS[language]
    page.goto("/accounts/login/")
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label).fill(password)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")


def sign_out(page, button="Sign out"):
    """Through the user menu of the navigation bar, as a user does."""
    page.locator(".site-navbar .dropdown-toggle").click()
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def switch_language(page, code, label="Language"):
    """With the language switcher of the navigation bar (it submits itself on change)."""
    with page.expect_navigation():
        page.get_by_label(label).select_option(code)
    assert page.locator("html").get_attribute("lang") == code


def docs_screenshot(page, name, scroll_to=None):
    """docs/img/<name>.png for the user guide, only with DOCS_SCREENSHOTS=1 (`make
    docs-screenshots`): a plain `make test` leaves the tree alone. `scroll_to`, a locator,
    is brought to the top of the viewport first."""
    if os.environ.get("DOCS_SCREENSHOTS") != "1":
        return
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    saved = page.viewport_size
    page.set_viewport_size(DOCS_VIEWPORT)
    try:
        if scroll_to is not None:
            scroll_to.evaluate("element => element.scrollIntoView({block: 'start'})")
        else:
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=DOCS_IMG / f"{name}.png", full_page=False)
    finally:
        if saved:
            page.set_viewport_size(saved)


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@contextmanager
def page_of_own_context(request, browser, live_server, **options):
    """A page in a browser context of its own; its screenshot is kept if the test fails."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{request.node.name}.png", full_page=True)
    context.close()
