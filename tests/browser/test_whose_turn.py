"""Whose turn it is, in Spanish and in Portuguese: the host submits a plan, the coordinator
finds it in the to-do list and the inbox, returns it with a reason, the host sees why, fixes
it and submits it again, the coordinator approves it; a visiting country is asked to list its
participants and does; after the visit, each delegation's findings and evaluations are due
until they are recorded."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from visits.models import AgendaItem, Delegation, Visit

pytestmark = pytest.mark.browser

LOCALES = {"es": "es-ES", "pt": "pt-BR"}


def signed_in(browser, live_server, username, language):
    context = browser.new_context(base_url=live_server.url, locale=LOCALES[language])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("peervisits-demo")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    assert page.locator("html").get_attribute("lang") == language
    return page


def todo(page):
    page.goto("/")
    return page.locator("#todo")


@pytest.mark.parametrize("language", ["es", "pt"])
def test_whose_turn_it_is(browser, live_server, transactional_db, demo_visits, language):
    with translation.override(language):
        t = {text: gettext(text) for text in [
            "Submit the plan for approval", "Submitted — awaiting approval", "Return the plan",
            "Returned", "Approve the plan", "Planned", "Save", "Mark as conducted",
            "Approve or return the submitted plan.", "List your delegation's participants.",
            "Record your delegation's findings.", "Fill in the evaluations of your participants.",
            "The coordinator returned the plan:",
        ]}  # fmt: skip
    visit = Visit.objects.get(status=Visit.Status.DRAFT, host_country__code="PY")
    # The plan lacks only its agenda; the visit took place last week.
    start = timezone.localdate() - timedelta(days=9)
    Visit.objects.filter(pk=visit.pk).update(start_date=start, end_date=start + timedelta(days=1))
    AgendaItem.objects.create(
        visit=visit, day=start, start_time="09:00", end_time="12:00", title="Apertura",
        kind=AgendaItem.Kind.MEETING,
    )  # fmt: skip
    url = visit.get_absolute_url()

    host = signed_in(browser, live_server, "staff-py", language)
    host.goto(url)
    host.get_by_role("button", name=t["Submit the plan for approval"]).click()
    assert host.get_by_text(t["Submitted — awaiting approval"]).first.is_visible()

    coordinator = signed_in(browser, live_server, "coordinator", language)
    assert todo(coordinator).get_by_role("link", name=t["Approve or return the submitted plan."])
    coordinator.goto("/notifications/")
    assert coordinator.get_by_text(visit.title).first.is_visible()
    coordinator.goto(url)
    coordinator.locator("#note-return").fill("Falta la visita al centro de día.")
    coordinator.get_by_role("button", name=t["Return the plan"]).click()

    host.goto(url)
    assert host.locator(".badge", has_text=t["Returned"]).first.is_visible()
    assert host.get_by_text(t["The coordinator returned the plan:"]).is_visible()
    assert host.get_by_text("Falta la visita al centro de día.").is_visible()
    host.goto(f"{url}edit/")
    host.locator("#id_objectives").fill("Conocer el centro de día y los servicios del territorio.")
    host.get_by_role("button", name=t["Save"]).click()
    host.get_by_role("button", name=t["Submit the plan for approval"]).click()
    assert host.get_by_text(t["Submitted — awaiting approval"]).first.is_visible()

    coordinator.goto(url)
    coordinator.get_by_role("button", name=t["Approve the plan"]).click()
    assert coordinator.locator(".badge", has_text=t["Planned"]).first.is_visible()

    # Chile, a visiting country, is asked for its participants and lists them.
    chile = signed_in(browser, live_server, "staff-cl", language)
    todo(chile).get_by_role("link", name=t["List your delegation's participants."]).click()
    person = chile.locator("#id_participants-0-person option:not([value=''])").first
    chile.locator("#id_participants-0-person").select_option(person.get_attribute("value"))
    chile.locator("#id_participants-0-role").select_option("technical")
    chile.get_by_role("button", name=t["Save"]).click()
    chile.wait_for_url(lambda address: urlparse(address).path == url)
    assert not todo(chile).get_by_text(t["List your delegation's participants."]).count()

    # After the visit, each delegation owes its findings and evaluations.
    host.goto(url)
    host.get_by_role("button", name=t["Mark as conducted"]).click()
    assert visit.__class__.objects.get(pk=visit.pk).status == Visit.Status.CONDUCTED
    chile_todo = todo(chile)
    assert chile_todo.get_by_text(t["Record your delegation's findings."]).is_visible()
    assert chile_todo.get_by_text(t["Fill in the evaluations of your participants."]).is_visible()
    uruguay = signed_in(browser, live_server, "staff-uy", language)
    assert todo(uruguay).get_by_text(t["Record your delegation's findings."]).is_visible()

    chile_todo.get_by_role("link", name=t["Record your delegation's findings."]).click()
    chile.locator("#id_kind").select_option("best_practice")
    chile.locator("#id_title").fill("Centros de día comunitarios")
    chile.locator("#id_text").fill("Cada centro trabaja con las familias del barrio.")
    chile.get_by_role("button", name=t["Save"]).click()
    chile.wait_for_url(lambda address: urlparse(address).path == url)
    participant = Delegation.objects.get(visit=visit, country__code="CL").participants.get()
    chile.goto(f"{url}evaluations/{participant.pk}/")
    for dimension in ("preparation", "relevance", "exchange_quality", "use_of_time"):
        chile.locator(f"input[name={dimension}][value='4']").check()
    chile.get_by_role("button", name=t["Save"]).click()
    chile.wait_for_url(lambda address: urlparse(address).path == url)
    chile_todo = todo(chile)
    assert not chile_todo.get_by_text(t["Record your delegation's findings."]).count()
    assert not chile_todo.get_by_text(t["Fill in the evaluations of your participants."]).count()
    # Uruguay still owes its findings.
    assert todo(uruguay).get_by_text(t["Record your delegation's findings."]).is_visible()
    for page in (host, coordinator, chile, uruguay):
        page.context.close()
