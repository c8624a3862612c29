"""Ministry staff do their whole journey with the keyboard only, always seeing the focus: they
plan a visit with its delegations, participants and agenda and submit it; after the
coordinator's approval they mark it as conducted, record findings, evaluations, the budget and
the compliance checklist and mark it as systematised; the coordinator closes it. As in the
journey test clicked with the mouse (test_journeys.py), the coordinator's two steps are taken in
the browser too, here also with the keyboard alone."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from visits.models import Visit

pytestmark = pytest.mark.browser

TITLE = "Keyboard-only planning of home care"
PASSWORD = "peervisits-demo"

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


def active_value(page):
    return page.evaluate("document.activeElement.value")


def type_into(page, name, text):
    tab_to(page, field(name))
    page.keyboard.type(text)


def type_date(page, name, day):
    """Day and month alike: the digits read the same in dd/mm/yyyy and mm/dd/yyyy (the date
    control follows chromium's own locale, not the page's)."""
    assert day.day == day.month
    tab_to(page, field(name))
    page.keyboard.type(day.strftime("%d%m%Y"))
    assert active_value(page) == day.isoformat()


def type_time(page, name, time):
    """A morning time, in a 24-hour control or a 12-hour one (which then asks for AM or PM)."""
    tab_to(page, field(name))
    page.keyboard.type(time.replace(":", ""))
    if not active_value(page):
        page.keyboard.type("A")
    assert active_value(page) == time


def choose(page, name, label):
    """Moves a closed <select> to the option ``label`` with the arrow keys."""
    tab_to(page, field(name))
    for _ in range(30):
        if page.evaluate("document.activeElement.selectedOptions[0]?.text") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{name} offers no {label!r}")


def rate(page, name, rating):
    """Checks the radio button ``rating`` (1 to 5) of a group with Space and the arrow keys."""
    tab_to(page, field(name))
    page.keyboard.press("Space")
    for _ in range(rating - 1):
        page.keyboard.press("ArrowRight")  # moves the focus to the next button and checks it
        assert_focus_visible(focused(page))
    assert page.evaluate(f"document.querySelector('[name={name}]:checked').value") == str(rating)


def follow(page, text, path_part):
    tab_to(page, link(text))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_part in page.url


def press_button(page, text, message):
    """Tabs to a button, presses Enter and expects the page's message."""
    tab_to(page, button(text))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".alert", has_text=message).first).to_be_visible()


def sign_in(page, username):
    """From the landing page of a signed-out visitor."""
    follow(page, "Sign in", "/accounts/login/")
    type_into(page, "username", username)
    type_into(page, "password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/") and "/accounts/" not in page.url


def sign_out(page, username):
    """Through the user menu of the navigation bar, opened with Enter."""
    user = get_user_model().objects.get(username=username)
    tab_to(page, button(user.get_full_name() or username))
    page.keyboard.press("Enter")
    tab_to(page, button("Sign out"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def step_as(page, signed_in, username, visit, step, status, via=TITLE, confirmed=False):
    """Another user takes the visit's next step: signs in, opens it from the dashboard (the
    link `via`: the visit's title, or the to-do list's task) and presses the step's button
    (with `confirmed`, a link to the page that confirms it, where the box is ticked first);
    the visit shows its new status."""
    sign_out(page, signed_in)
    sign_in(page, username)
    follow(page, via, f"/visits/{visit.pk}/")
    done = f"Done: {step[0].lower()}{step[1:]}."
    if confirmed:
        follow(page, f"{step}…", f"/visits/{visit.pk}/transitions/")
        tab_to(page, lambda e: e["name"] == "confirmed")
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.checked") is True
    press_button(page, step, done)
    expect(status_badge(page)).to_have_text(status)


def status_badge(page):
    """The visit's status, next to its label under the title."""
    return page.locator("h1 + p .badge").first


def last_day_alike():
    """The latest past day whose day and month are the same number (see type_date)."""
    today = timezone.localdate()
    days = [
        date(year, month, month) for year in (today.year - 1, today.year) for month in range(1, 13)
    ]
    return max(day for day in days if day < today)


def test_staff_journey_with_the_keyboard(page, transactional_db, demo):
    # A one-day visit that took place: it can be marked as conducted.
    day = last_day_alike()
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
    sign_in(page, "staff-py")
    assert page.get_by_role("heading", level=1).first.is_visible()

    # Visits, then the form of a new visit.
    follow(page, "Visits", "/visits/")
    follow(page, "Plan a visit", "/visits/new/")
    type_into(page, "title", TITLE)
    type_into(page, "objectives", "Learn how the host's teams visit families.")
    choose(page, "thematic_focus", "Care of older people")
    type_into(page, "city", "Encarnación")
    type_date(page, "start_date", day)
    type_date(page, "end_date", day)
    ministry = tab_to(page, lambda e: e["label"] == "Ministerio de la Niñez y la Adolescencia")
    assert ministry["type"] == "checkbox"
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked") is True
    press_button(page, "Save", "The visit was created.")
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(status_badge(page)).to_have_text("Draft")
    visit = Visit.objects.get(title=TITLE)
    assert (visit.city, visit.thematic_focus) == ("Encarnación", "older_people")
    assert (visit.start_date, visit.end_date) == (day, day)
    assert [a.name for a in visit.host_actors.all()] == ["Ministerio de la Niñez y la Adolescencia"]

    # Two visiting delegations.
    follow(page, "Edit the visiting delegations", f"/visits/{visit.pk}/delegations/")
    choose(page, "delegations-0-country", "Uruguay")
    choose(page, "delegations-1-country", "Chile")
    press_button(page, "Save", "The delegations were saved.")

    # The host team's participants.
    follow(page, "Edit participants (Paraguay)", "/participants/")
    choose(page, "participants-0-person", "Carlos Benítez")
    choose(page, "participants-0-role", "Political")
    choose(page, "participants-1-person", "María José Giménez")
    choose(page, "participants-1-role", "Technical")
    press_button(page, "Save", "The participants were saved.")

    # The agenda: two items on the day of the visit.
    follow(page, "Edit the agenda", f"/visits/{visit.pk}/agenda/")
    items = [
        ("09:00", "10:30", "Meeting with the home care teams", "Meeting"),
        ("10:45", "11:45", "Visit to a family", "Site visit"),
    ]
    for index, (begin, end, title, kind) in enumerate(items):
        type_date(page, f"agenda_items-{index}-day", day)
        type_time(page, f"agenda_items-{index}-start_time", begin)
        type_time(page, f"agenda_items-{index}-end_time", end)
        type_into(page, f"agenda_items-{index}-title", title)
        choose(page, f"agenda_items-{index}-kind", kind)
    press_button(page, "Save the agenda", "The agenda was saved.")
    expect(page.locator("#agenda").get_by_text("Visit to a family")).to_be_visible()

    press_button(page, "Submit the plan for approval", "awaits the coordinator's approval")
    expect(status_badge(page)).to_have_text("Submitted — awaiting approval")

    # The coordinator approves the plan; after the visit, the host's staff record what happened.
    approve = "Approve or return the submitted plan."  # the coordinator's to-do list
    step_as(page, "staff-py", "coordinator", visit, "Approve the plan", "Planned", via=approve)
    step_as(page, "coordinator", "staff-py", visit, "Mark as conducted", "Conducted")

    findings = [
        ("Best practice", "Teams that visit each family", "Each team follows the same families."),
        ("Recommendation", "Record the visits in one system", "A shared record would help."),
    ]
    for kind, title, text in findings:
        follow(page, "Add a finding", f"/visits/{visit.pk}/findings/new/")
        choose(page, "kind", kind)
        type_into(page, "title", title)
        type_into(page, "text", text)
        press_button(page, "Save", "The finding was saved.")
        expect(page.get_by_role("heading", name=title)).to_be_visible()

    for person, rating in [("Carlos Benítez", 4), ("María José Giménez", 5)]:
        follow(page, f"Record the evaluation ({person})", f"/visits/{visit.pk}/evaluations/")
        for dimension in ("preparation", "relevance", "exchange_quality", "use_of_time"):
            rate(page, dimension, rating)
        press_button(page, "Save", "The evaluation was saved.")

    follow(page, "Edit the budget", f"/visits/{visit.pk}/budget/")
    lines = [("Travel", "3600", "3410.50"), ("Accommodation", "1200", "1350")]
    for index, (category, planned, actual) in enumerate(lines):
        choose(page, f"budget_lines-{index}-category", category)
        type_into(page, f"budget_lines-{index}-planned", planned)
        type_into(page, f"budget_lines-{index}-actual", actual)
        type_into(page, f"budget_lines-{index}-currency", "USD")
    press_button(page, "Save", "The budget was saved.")
    expect(page.locator("#budget").get_by_role("cell", name="Travel")).to_be_visible()

    follow(page, "Fill the checklist", f"/visits/{visit.pk}/compliance/")
    visit.refresh_from_db()
    criteria = visit.methodology_version.criteria.count()
    assert criteria > 0
    for _ in range(criteria):
        tab_to(page, lambda e: e["tag"] == "select" and e["name"].endswith("-status"))
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.selectedOptions[0].text") == "Met"
    press_button(page, "Save", "The compliance checklist was saved.")

    press_button(page, "Mark as systematised", "Done: mark as systematised.")
    expect(status_badge(page)).to_have_text("Systematised")

    step_as(page, "staff-py", "coordinator", visit, "Close the visit", "Closed", confirmed=True)
    expect(page.locator("#findings h3")).to_have_count(2)
    expect(page.locator("#evaluations")).to_contain_text("Average of 2 evaluations")
    expect(page.locator("#budget")).to_contain_text("3,410.50")
    expect(page.locator("#compliance")).not_to_contain_text("not checked yet")

    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED
    assert visit.methodology_version.number == 1
    visiting = visit.delegations.filter(is_host=False).values_list("country__code", flat=True)
    assert sorted(visiting) == ["CL", "UY"]
    host = visit.delegations.get(is_host=True)
    assert sorted((p.person.name, p.role) for p in host.participants.all()) == [
        ("Carlos Benítez", "political"),
        ("María José Giménez", "technical"),
    ]
    assert sorted(
        (str(i.start_time)[:5], str(i.end_time)[:5], i.kind) for i in visit.agenda_items.all()
    ) == [("09:00", "10:30", "meeting"), ("10:45", "11:45", "site_visit")]
    assert {i.day for i in visit.agenda_items.all()} == {day}
    assert sorted((f.kind, f.title) for f in visit.findings.all()) == [
        ("best_practice", "Teams that visit each family"),
        ("recommendation", "Record the visits in one system"),
    ]
    assert sorted(
        (e.preparation, e.relevance, e.exchange_quality, e.use_of_time)
        for e in visit.evaluations.all()
    ) == [(4, 4, 4, 4), (5, 5, 5, 5)]
    assert sorted(
        (line.category, line.planned, line.actual, line.currency)
        for line in visit.budget_lines.all()
    ) == [
        ("accommodation", Decimal("1200"), Decimal("1350"), "USD"),
        ("travel", Decimal("3600"), Decimal("3410.50"), "USD"),
    ]
    assert visit.compliance_checks.count() == criteria
    assert not visit.compliance_checks.exclude(status="met").exists()
