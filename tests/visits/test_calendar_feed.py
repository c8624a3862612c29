"""The personal calendar feed (/calendar/<token>.ics) and its page (/calendar/).

The world: Paraguay hosts Uruguay from Monday 6 to Wednesday 8 May 2024, with two agenda
items; Brazil hosts alone on 3 June 2024 (no end date); a cancelled Paraguayan visit and an
undated Chilean draft are in no feed.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from countries.models import Country
from tests.support.html import assert_no_inline_code, find, text
from visits.models import AgendaItem, CalendarFeed, Delegation, Visit

User = get_user_model()


def country(code):
    return Country.objects.get(code=code)


def make_visit(host, title, start=None, end=None, guests=(), **fields):
    visit = Visit.objects.create(
        host_country=country(host), title=title, start_date=start, end_date=end, **fields
    )
    Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    for code in guests:
        Delegation.objects.create(visit=visit, country=country(code))
    return visit


@pytest.fixture
def world(demo):
    paraguay = make_visit(
        "PY",
        "Care services in the territory",
        date(2024, 5, 6),
        date(2024, 5, 8),
        guests=["UY"],
        city="Asunción",
        status=Visit.Status.PLANNED,
    )
    for day, start, end, title in [
        (date(2024, 5, 7), time(14), time(16), "Workshop with the care teams"),
        (date(2024, 5, 6), time(9), time(12), "Opening"),
    ]:
        AgendaItem.objects.create(
            visit=paraguay,
            day=day,
            start_time=start,
            end_time=end,
            title=title,
            kind=AgendaItem.Kind.MEETING,
        )
    brazil = make_visit("BR", "Care registry", date(2024, 6, 3))
    cancelled = make_visit(
        "PY", "Called off", date(2024, 7, 1), date(2024, 7, 2), guests=["UY"],
        status=Visit.Status.CANCELLED,
    )  # fmt: skip
    undated = make_visit("CL", "Not planned yet")
    return {"paraguay": paraguay, "brazil": brazil, "cancelled": cancelled, "undated": undated}


def feed_of(username):
    return CalendarFeed.objects.create(user=User.objects.get(username=username))


def fetch(client, calendar_feed):
    response = client.get(calendar_feed.get_absolute_url())
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def visit_uids(calendar):
    return {str(e["UID"]) for e in calendar.events if str(e["UID"]).startswith("visit-")}


def uid(visit):
    return f"visit-{visit.pk}@peervisits"


# --- the feed --------------------------------------------------------------------------------


def test_the_feed_is_an_icalendar_file_fetched_without_a_session(client, world):
    response = client.get(feed_of("staff-py").get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="peervisits.ics"'
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "PeerVisits"
    assert str(calendar["VERSION"]) == "2.0"
    assert "sessionid" not in response.cookies
    # Calendar applications are told how often to fetch it again.
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
    assert b"X-PUBLISHED-TTL:PT1H" in response.content


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("staff-py", {"paraguay"}),  # hosts it
        ("staff-uy", {"paraguay"}),  # joins it
        ("staff-br", {"brazil"}),
        ("staff-cl", set()),  # the undated draft is in no feed
        ("coordinator", {"paraguay", "brazil"}),
        ("projectteam", {"paraguay", "brazil"}),
    ],
)
def test_the_feed_lists_the_visits_the_user_may_see(client, world, username, expected):
    calendar = fetch(client, feed_of(username))
    assert visit_uids(calendar) == {uid(world[name]) for name in expected}


def test_the_feed_has_the_same_visits_as_the_visibility_rule(client, world):
    for username in ("staff-py", "staff-br", "coordinator"):
        user = User.objects.get(username=username)
        visible = Visit.objects.visible_to(user).exclude(status=Visit.Status.CANCELLED)
        dated = visible.filter(start_date__isnull=False)
        assert visit_uids(fetch(client, feed_of(username))) == {uid(v) for v in dated}


def test_a_visit_is_an_all_day_event_over_its_dates(client, world):
    events = {str(e["UID"]): e for e in fetch(client, feed_of("coordinator")).events}
    paraguay = events[uid(world["paraguay"])]
    assert paraguay.decoded("dtstart") == date(2024, 5, 6)
    assert paraguay.decoded("dtend") == date(2024, 5, 9)  # exclusive: the 8th is included
    assert str(paraguay["SUMMARY"]) == str(world["paraguay"])
    assert str(paraguay["LOCATION"]) == "Asunción"
    assert str(paraguay["STATUS"]) == "CONFIRMED"
    assert str(paraguay["URL"]).endswith(f"/visits/{world['paraguay'].pk}/")
    brazil = events[uid(world["brazil"])]  # no end date: one day
    assert brazil.decoded("dtstart") == date(2024, 6, 3)
    assert brazil.decoded("dtend") - brazil.decoded("dtstart") == timedelta(days=1)


def test_the_feed_includes_the_agenda_items_at_their_times(client, world):
    calendar = fetch(client, feed_of("staff-uy"))
    items = {str(e["SUMMARY"]): e for e in calendar.events if str(e["UID"]).startswith("agenda")}
    assert set(items) == {"Opening", "Workshop with the care teams"}
    asuncion = ZoneInfo("America/Asuncion")
    opening = items["Opening"]
    assert opening.decoded("dtstart") == datetime(2024, 5, 6, 9, tzinfo=asuncion)
    assert opening.decoded("dtend") == datetime(2024, 5, 6, 12, tzinfo=asuncion)
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"America/Asuncion"}
    # The agenda of a visit the user may not see is not there.
    assert not [e for e in fetch(client, feed_of("staff-br")).events if "agenda" in e["UID"]]


def test_the_feed_is_in_the_language_of_the_users_e_mails(client, world):
    """Uruguay's staff read Spanish (their country's language), the coordinator English."""
    spanish = fetch(client, feed_of("staff-uy"))
    assert {str(e["DESCRIPTION"]).split("\n")[0] for e in spanish.events} == {
        "Estado: Planificada",
        "Tipo: Reunión",
    }
    english = fetch(client, feed_of("coordinator"))
    assert "Kind: Meeting" in {str(e["DESCRIPTION"]).split("\n")[0] for e in english.events}


def test_the_agenda_events_are_those_of_the_agenda_download(client, world, staff_uy, settings):
    """The feed and the visit's own agenda.ics build the items' events alike."""
    settings.SITE_URL = "http://testserver"
    feed_items = {
        str(e["UID"]): e.to_ical()
        for e in fetch(client, feed_of("staff-uy")).events
        if str(e["UID"]).startswith("agenda")
    }
    client.force_login(staff_uy)
    url = f"/visits/{world['paraguay'].pk}/agenda.ics"
    download = Calendar.from_ical(client.get(url, headers={"accept-language": "es"}).content)

    def lines(ical):
        return [line for line in ical.splitlines() if not line.startswith(b"DTSTAMP")]

    assert len(feed_items) == 2
    assert {str(e["UID"]): lines(e.to_ical()) for e in download.events} == {
        key: lines(value) for key, value in feed_items.items()
    }


def test_the_number_of_queries_does_not_grow_with_the_visits(client, demo):
    coordinator_feed = feed_of("coordinator")

    def add_visits(count):
        for number in range(count):
            visit = make_visit("CR", f"Visit {number}", date(2024, 1, 1) + timedelta(days=number))
            AgendaItem.objects.create(
                visit=visit, day=visit.start_date, start_time=time(9), end_time=time(10),
                title="Meeting", kind=AgendaItem.Kind.MEETING,
            )  # fmt: skip

    def queries():
        with CaptureQueriesContext(connection) as captured:
            calendar = fetch(client, coordinator_feed)
        return len(captured), len(visit_uids(calendar))

    add_visits(2)
    few, shown = queries()
    assert shown == 2
    add_visits(8)
    many, shown = queries()
    assert shown == 10
    assert few == many


# --- the token -------------------------------------------------------------------------------


def test_the_token_is_a_long_random_url_safe_secret(demo):
    first, second = feed_of("staff-py"), feed_of("staff-uy")
    assert len(first.token) >= 32
    assert first.token != second.token
    assert set(first.token) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )


@pytest.mark.parametrize("token", ["x" * 43, "not-a-token", "-"])
def test_an_unknown_token_is_not_found(client, world, token):
    feed_of("staff-py")
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_an_inactive_users_token_is_not_found(client, world):
    calendar_feed = feed_of("staff-py")
    User.objects.filter(username="staff-py").update(is_active=False)
    assert client.get(calendar_feed.get_absolute_url()).status_code == 404


def test_the_feed_only_reads(client, world):
    calendar_feed = feed_of("staff-py")
    assert client.post(calendar_feed.get_absolute_url()).status_code in (403, 405)


# --- the page --------------------------------------------------------------------------------


def test_the_page_needs_a_signed_in_user(client, demo):
    response = client.get("/calendar/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/calendar/"
    assert client.post("/calendar/").status_code == 302
    assert client.post("/calendar/renew/").status_code == 302
    assert not CalendarFeed.objects.exists()


def test_the_page_offers_to_create_the_link_without_creating_it(client, staff_py):
    client.force_login(staff_py)
    response = client.get("/calendar/")
    assert response.status_code == 200
    assert not CalendarFeed.objects.exists()
    assert "Create my calendar link" in text(response)
    assert_no_inline_code(response)


def test_creating_the_link_shows_it(client, staff_py, settings):
    settings.SITE_URL = "https://peervisits.example.org"
    client.force_login(staff_py)
    response = client.post("/calendar/")
    assert response.status_code == 302
    assert response.url == "/calendar/"
    calendar_feed = CalendarFeed.objects.get(user=staff_py)
    response = client.get("/calendar/")
    url = f"https://peervisits.example.org/calendar/{calendar_feed.token}.ics"
    assert find(response, "input", value=url)
    assert find(response, "a", href=url.replace("https://", "webcal://"))
    assert "Renew the link" in text(response)
    assert find(response, "form", action="/calendar/renew/")
    assert_no_inline_code(response)
    # Created once: a second POST keeps the link.
    client.post("/calendar/")
    assert CalendarFeed.objects.get(user=staff_py).token == calendar_feed.token


def test_renewing_replaces_the_link_at_once(client, world, staff_py):
    old = feed_of("staff-py")
    assert client.get(old.get_absolute_url()).status_code == 200
    client.force_login(staff_py)
    response = client.post("/calendar/renew/")
    assert response.status_code == 302
    assert response.url == "/calendar/"
    new = CalendarFeed.objects.get(user=staff_py)
    assert new.token != old.token
    client.logout()
    assert client.get(old.get_absolute_url()).status_code == 404
    assert client.get(new.get_absolute_url()).status_code == 200


def test_renewing_without_a_link_creates_one(client, staff_py):
    client.force_login(staff_py)
    assert client.post("/calendar/renew/").status_code == 302
    assert CalendarFeed.objects.filter(user=staff_py).exists()


def test_renewing_is_a_post(client, staff_py):
    client.force_login(staff_py)
    assert client.get("/calendar/renew/").status_code == 405


def test_the_page_is_linked_from_the_user_menu(client, staff_py):
    client.force_login(staff_py)
    assert find(client.get("/"), "a", href="/calendar/")
