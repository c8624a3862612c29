"""Ministry staff sign in and plan a visit with the keyboard only, always seeing the focus."""

from datetime import date

import pytest
from django.utils import timezone

from visits.models import Visit

pytestmark = pytest.mark.browser

TITLE = "Keyboard-only planning of home care"

FOCUSED = """
() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  return {
    tag: e.tagName.toLowerCase(),
    id: e.id,
    name: e.getAttribute("name") || "",
    type: e.getAttribute("type") || "",
    text: (e.innerText || "").trim().replace(/\\s+/g, " "),
    label: label.trim().replace(/\\s+/g, " ").replace(/\\*$/, ""),
    href: e.getAttribute("href") || "",
    outline: style.outlineStyle,
    outlineWidth: style.outlineWidth,
    shadow: style.boxShadow,
    // False when the focus is in the browser's own part of a control (a date picker's button).
    own: e.matches(":focus"),
  };
}
"""


def focused(page):
    return page.evaluate(FOCUSED)


def assert_focus_visible(element):
    outlined = element["outline"] != "none" and element["outlineWidth"] != "0px"
    assert outlined or element["shadow"] != "none", f"focus is not visible on {element}"


def tab_to(page, wanted, key="Tab", limit=80):
    """Presses Tab until ``wanted(element)``; the focus must be visible at every stop."""
    for _ in range(limit):
        page.keyboard.press(key)
        element = focused(page)
        if element["tag"] == "body" or not element["own"]:
            continue  # past the last element, or inside a control's built-in button
        assert_focus_visible(element)
        if wanted(element):
            return element
    raise AssertionError(f"{limit} presses of {key} did not reach the element")


def link(text):
    return lambda element: element["tag"] == "a" and element["text"] == text


def field(name):
    return lambda element: element["name"] == name


def button(text):
    return lambda element: element["tag"] == "button" and element["text"] == text


def type_into(page, name, text):
    tab_to(page, field(name))
    page.keyboard.type(text)


def choose(page, name, label):
    """Moves a closed <select> to the option ``label`` with the arrow keys."""
    tab_to(page, field(name))
    for _ in range(30):
        if page.evaluate("document.activeElement.selectedOptions[0]?.text") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{name} offers no {label!r}")


def follow(page, text, path_part):
    tab_to(page, link(text))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_part in page.url


def test_staff_plan_a_visit_with_the_keyboard(page, transactional_db, demo):
    # Day and month alike: the date fields read the same in dd/mm/yyyy and mm/dd/yyyy (the
    # date control follows chromium's own locale, not the page's).
    start = end = date(timezone.localdate().year + 1, 6, 6)
    # No transitions: the focus ring is read as soon as an element gets the focus.
    page.emulate_media(reduced_motion="reduce")
    page.goto("/")

    # The first stop is the skip link; following it moves the focus into <main>.
    page.keyboard.press("Tab")
    skip = focused(page)
    assert (skip["text"], skip["href"]) == ("Skip to main content", "#main")
    assert_focus_visible(skip)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Sign in: the next stop inside <main> is the landing page's button.
    follow(page, "Sign in", "/accounts/login/")
    type_into(page, "username", "staff-py")
    type_into(page, "password", "peervisits-demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert page.url.endswith("/")

    # Visits, then the form of a new visit.
    follow(page, "Visits", "/visits/")
    follow(page, "Plan a visit", "/visits/new/")
    type_into(page, "title", TITLE)
    type_into(page, "objectives", "Learn how the host's teams visit families.")
    choose(page, "thematic_focus", "Care of older people")
    type_into(page, "city", "Encarnación")
    tab_to(page, field("start_date"))
    page.keyboard.type(start.strftime("%d%m%Y"))
    tab_to(page, field("end_date"))
    page.keyboard.type(end.strftime("%d%m%Y"))
    ministry = tab_to(page, lambda e: e["label"] == "Ministerio de la Niñez y la Adolescencia")
    assert ministry["type"] == "checkbox"
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked") is True
    tab_to(page, button("Save"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("The visit was created.").is_visible()
    visit = Visit.objects.get(title=TITLE)
    assert (visit.city, visit.thematic_focus) == ("Encarnación", "older_people")
    assert (visit.start_date, visit.end_date) == (start, end)
    assert [a.name for a in visit.host_actors.all()] == ["Ministerio de la Niñez y la Adolescencia"]

    # A visiting delegation, through its form.
    follow(page, "Edit the visiting delegations", f"/visits/{visit.pk}/delegations/")
    choose(page, "delegations-0-country", "Uruguay")
    tab_to(page, button("Save"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("The delegations were saved.").is_visible()
    (delegation,) = visit.delegations.filter(is_host=False)
    assert delegation.country.code == "UY"
