"""The agenda of a visit: the printable page, the iCalendar download and the editing form.

The visit: Paraguay hosts Uruguay from Monday 6 to Wednesday 8 May 2024.
"""

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify
from icalendar import Calendar

from core.concurrency import STALE_MESSAGE
from countries.models import Actor, Country
from tests.support.html import assert_no_inline_code, find, input_value, text
from visits.models import AgendaItem, Delegation, Visit

PREFIX = "agenda_items"


@pytest.fixture
def visit(demo):
    visit = Visit.objects.create(
        host_country=Country.objects.get(code="PY"),
        title="The national care system seen from the territory",
        city="Asunción",
        start_date=date(2024, 5, 6),
        end_date=date(2024, 5, 8),
        objectives="See how care services reach families.",
    )
    Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    Delegation.objects.create(visit=visit, country=Country.objects.get(code="UY"))
    return visit


MINISTRIES = {
    "PY": "Ministerio de la Niñez y la Adolescencia",
    "UY": "Ministerio de Desarrollo Social",
}


def actor(code):
    """The ministry of the country that the knowledge-bank entry names."""
    return Actor.objects.get(country__code=code, name=MINISTRIES[code])


@pytest.fixture
def items(visit):
    """Two days of agenda, created out of order."""
    return [
        AgendaItem.objects.create(
            visit=visit,
            day=date(2024, 5, 7),
            start_time=time(14, 0),
            end_time=time(16, 0),
            title="Workshop with the care teams",
            kind=AgendaItem.Kind.WORKSHOP,
            place="Centro Comunitario",
        ),
        AgendaItem.objects.create(
            visit=visit,
            day=date(2024, 5, 6),
            start_time=time(9, 0),
            end_time=time(10, 30),
            title="Visit to a child-care centre",
            kind=AgendaItem.Kind.SITE_VISIT,
            place="CEBINFA Luque",
            responsible_actor=actor("PY"),
            notes="Bring identity documents.",
        ),
        AgendaItem.objects.create(
            visit=visit,
            day=date(2024, 5, 6),
            start_time=time(11, 0),
            end_time=time(12, 0),
            title="Meeting with the vice-minister",
            kind=AgendaItem.Kind.MEETING,
            responsible_actor=actor("UY"),
        ),
    ]


def agenda_url(visit):
    return f"/visits/{visit.pk}/agenda/"


def edit_url(visit):
    return f"/visits/{visit.pk}/agenda/edit/"


def ics_url(visit):
    return f"/visits/{visit.pk}/agenda.ics"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the printable page ----------------------------------------------------------------------


def test_printable_agenda(client, staff_py, visit, items):
    client.force_login(staff_py)
    response = client.get(agenda_url(visit))
    assert response.status_code == 200
    content = text(response)
    assert "Agenda: The national care system seen from the territory" in content
    assert "From May 6, 2024 to May 8, 2024." in content
    # Grouped by day, in order of day and time, each item with all it says.
    monday = content.index("Monday, May 6, 2024")
    tuesday = content.index("Tuesday, May 7, 2024")
    assert monday < content.index("Visit to a child-care centre") < tuesday
    assert monday < content.index("Meeting with the vice-minister") < tuesday
    assert tuesday < content.index("Workshop with the care teams")
    assert (
        "9 a.m. – 10:30 a.m. Visit to a child-care centre Bring identity documents. "
        "Site visit CEBINFA Luque Ministerio de la Niñez y la Adolescencia (Paraguay)"
    ) in content
    assert "11 a.m. – noon Meeting with the vice-minister Meeting — " in content
    assert "Ministerio de Desarrollo Social (MIDES) (Uruguay)" in content
    assert "2 p.m. – 4 p.m. Workshop with the care teams Workshop Centro Comunitario —" in content
    assert find(response, "a", href=ics_url(visit))
    assert find(response, "a", href=edit_url(visit))


def test_printable_agenda_in_spanish(client, staff_py, visit, items):
    client.force_login(staff_py)
    response = client.get(agenda_url(visit), headers={"accept-language": "es"})
    assert response.status_code == 200
    content = text(response)
    assert "lunes, 6 de mayo de 2024" in content
    assert "martes, 7 de mayo de 2024" in content
    assert "09:00 – 10:30" in content
    assert "14:00 – 16:00" in content
    assert 'lang="es"' in response.content.decode()


@pytest.mark.parametrize("url", [agenda_url, edit_url])
def test_agenda_pages_have_no_inline_code(client, staff_py, visit, items, url):
    client.force_login(staff_py)
    response = client.get(url(visit))
    assert response.status_code == 200
    assert_no_inline_code(response)


def test_empty_agenda(client, staff_py, visit):
    client.force_login(staff_py)
    assert "The agenda has no items yet." in text(client.get(agenda_url(visit)))


def test_printable_agenda_hides_the_screen_only_parts_in_print(client, staff_py, visit, items):
    client.force_login(staff_py)
    response = client.get(agenda_url(visit))
    (breadcrumb,) = find(response, "nav", **{"aria-label": "Breadcrumb"})
    assert "d-print-none" in breadcrumb["class"]


@pytest.mark.parametrize("username", ["staff-uy", "projectteam"])
def test_readers_see_the_agenda_without_edit_button(client, django_user_model, visit, username):
    client.force_login(django_user_model.objects.get(username=username))
    response = client.get(agenda_url(visit))
    assert response.status_code == 200
    assert not find(response, "a", href=edit_url(visit))
    assert find(response, "a", href=ics_url(visit))


def test_no_edit_button_on_a_closed_visit(client, staff_py, visit):
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CLOSED)
    client.force_login(staff_py)
    assert not find(client.get(agenda_url(visit)), "a", href=edit_url(visit))


@pytest.mark.parametrize("url", [agenda_url, ics_url, edit_url])
def test_anonymous_users_are_sent_to_login(client, visit, url):
    response = client.get(url(visit))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [agenda_url, ics_url, edit_url])
def test_uninvolved_countries_do_not_see_the_agenda(client, staff_br, visit, url):
    client.force_login(staff_br)
    assert client.get(url(visit)).status_code == 404


# --- iCalendar -------------------------------------------------------------------------------


def test_ical(client, staff_uy, visit, items):
    client.force_login(staff_uy)
    response = client.get(ics_url(visit))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="agenda-{slugify(visit.label)}.ics"'
    )
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == str(visit.label)
    assert [zone.tz_name for zone in calendar.timezones] == ["America/Asuncion"]
    assert calendar.get_missing_tzids() == set()

    events = {str(event["UID"]): event for event in calendar.events}
    first, second, third = items
    assert set(events) == {f"agenda-item-{item.pk}@peervisits" for item in items}
    zone = ZoneInfo("America/Asuncion")

    site_visit = events[f"agenda-item-{second.pk}@peervisits"]
    assert str(site_visit["SUMMARY"]) == "Visit to a child-care centre"
    assert str(site_visit["LOCATION"]) == "CEBINFA Luque"
    assert site_visit.start == site_visit.start.replace(tzinfo=zone)
    assert site_visit.start.tzinfo.key == "America/Asuncion"
    assert (site_visit.start.isoformat(), site_visit.end.isoformat()) == (
        "2024-05-06T09:00:00-04:00",
        "2024-05-06T10:30:00-04:00",
    )
    description = str(site_visit["DESCRIPTION"])
    assert "Kind: Site visit" in description
    assert "Responsible: Ministerio de la Niñez y la Adolescencia (Paraguay)" in description
    assert "Bring identity documents." in description

    workshop = events[f"agenda-item-{first.pk}@peervisits"]
    assert workshop.start.isoformat() == "2024-05-07T14:00:00-04:00"
    assert str(workshop["LOCATION"]) == "Centro Comunitario"
    # Without a place, the event is in the city of the visit.
    meeting = events[f"agenda-item-{third.pk}@peervisits"]
    assert str(meeting["LOCATION"]) == "Asunción"
    assert "Responsible: Ministerio de Desarrollo Social (MIDES) (Uruguay)" in str(
        meeting["DESCRIPTION"]
    )


def test_ical_uids_are_stable(client, staff_py, visit, items):
    client.force_login(staff_py)
    uids = [
        sorted(str(e["UID"]) for e in Calendar.from_ical(client.get(ics_url(visit)).content).events)
        for _download in range(2)
    ]
    assert uids[0] == uids[1]


def test_ical_uses_the_time_zone_of_the_host(client, coordinator, demo):
    visit = Visit.objects.create(
        host_country=Country.objects.get(code="CR"),
        title="Care networks",
        start_date=date(2024, 8, 5),
        end_date=date(2024, 8, 6),
    )
    AgendaItem.objects.create(
        visit=visit,
        day=date(2024, 8, 5),
        start_time=time(9, 0),
        end_time=time(10, 0),
        title="Welcome",
        kind=AgendaItem.Kind.MEETING,
    )
    client.force_login(coordinator)
    calendar = Calendar.from_ical(client.get(ics_url(visit)).content)
    (event,) = calendar.events
    assert event.start.isoformat() == "2024-08-05T09:00:00-06:00"
    assert [zone.tz_name for zone in calendar.timezones] == ["America/Costa_Rica"]


def test_ical_of_an_empty_agenda(client, staff_py, visit):
    client.force_login(staff_py)
    calendar = Calendar.from_ical(client.get(ics_url(visit)).content)
    assert calendar.events == []


# --- the editing form ------------------------------------------------------------------------


def form_data(visit, response, items=(), existing=()):
    """The POST of the agenda form: ``existing`` [(item, changes)] then new ``items``."""
    data = {
        f"{PREFIX}-TOTAL_FORMS": str(len(existing) + len(items)),
        f"{PREFIX}-INITIAL_FORMS": str(len(existing)),
        f"{PREFIX}-MIN_NUM_FORMS": "0",
        f"{PREFIX}-MAX_NUM_FORMS": "1000",
        "state": input_value(response, "state"),
    }
    rows = []
    for item, changes in existing:
        row = {
            "id": str(item.pk),
            "visit": str(visit.pk),
            "day": item.day.isoformat(),
            "start_time": f"{item.start_time:%H:%M}",
            "end_time": f"{item.end_time:%H:%M}",
            "title": item.title,
            "kind": item.kind,
            "place": item.place,
            "responsible_actor": str(item.responsible_actor_id or ""),
            "notes": item.notes,
        }
        row.update(changes)
        rows.append(row)
    for item in items:
        rows.append({"visit": str(visit.pk), "place": "", "notes": "", **item})
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{PREFIX}-{index}-{name}"] = value
    return data


def new_item(day, start, end, title, kind="meeting", **more):
    return {"day": day, "start_time": start, "end_time": end, "title": title, "kind": kind, **more}


TWO_DAYS = [
    new_item("2024-05-06", "09:00", "10:30", "Welcome by the minister", place="Ministry"),
    new_item("2024-05-06", "11:00", "13:00", "Visit to a care centre", kind="site_visit"),
    new_item("2024-05-07", "09:30", "12:00", "Workshop on territorial networks", kind="workshop"),
]


def test_edit_form(client, staff_py, visit, items):
    client.force_login(staff_py)
    response = client.get(edit_url(visit))
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == len(items) + 3
    assert find(response, "input", name=f"{PREFIX}-0-day", type="date", value="2024-05-06")
    assert find(response, "input", name=f"{PREFIX}-0-start_time", type="time", value="09:00")
    assert find(response, "input", name=f"{PREFIX}-0-end_time", type="time", value="10:30")
    (day,) = find(response, "input", name=f"{PREFIX}-3-day", type="date")
    assert (day["min"], day["max"]) == ("2024-05-06", "2024-05-08")
    # Actors with their country: several countries have a "Ministerio de Desarrollo Social".
    content = response.content.decode()
    assert "Ministerio de Desarrollo Social (MIDES) — Uruguay</option>" in content
    assert "Ministerio de Desarrollo Social — Chile</option>" in content
    # Labels tied to the inputs.
    assert find(response, "label", **{"for": f"id_{PREFIX}-3-title"})


def test_edit_form_queries_do_not_grow_with_the_items(client, staff_py, visit, items):
    client.force_login(staff_py)
    client.get(edit_url(visit))  # warm up the session
    with CaptureQueriesContext(connection) as few:
        client.get(edit_url(visit))
    for hour in range(8, 18):
        AgendaItem.objects.create(
            visit=visit,
            day=date(2024, 5, 8),
            start_time=time(hour, 0),
            end_time=time(hour, 45),
            title=f"Item at {hour}",
            kind=AgendaItem.Kind.MEETING,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(edit_url(visit))
    assert len(response.context["formset"].forms) == 16
    assert len(many) == len(few)


def test_add_two_days_of_items(client, staff_py, visit):
    client.force_login(staff_py)
    response = client.get(edit_url(visit))
    data = form_data(visit, response, TWO_DAYS)
    data[f"{PREFIX}-0-responsible_actor"] = str(actor("PY").pk)
    response = client.post(edit_url(visit), data)
    assert response.status_code == 302
    assert response["Location"] == visit.get_absolute_url()
    assert messages_of(response) == ["The agenda was saved."]
    saved = list(visit.agenda_items.values_list("day", "start_time", "title", "kind"))
    assert saved == [
        (date(2024, 5, 6), time(9, 0), "Welcome by the minister", "meeting"),
        (date(2024, 5, 6), time(11, 0), "Visit to a care centre", "site_visit"),
        (date(2024, 5, 7), time(9, 30), "Workshop on territorial networks", "workshop"),
    ]
    assert visit.agenda_items.get(title="Welcome by the minister").responsible_actor == actor("PY")


def test_empty_extra_forms_are_ignored(client, staff_py, visit):
    client.force_login(staff_py)
    response = client.get(edit_url(visit))
    blank = {"day": "", "start_time": "", "end_time": "", "title": "", "kind": ""}
    response = client.post(edit_url(visit), form_data(visit, response, [TWO_DAYS[0], blank]))
    assert response.status_code == 302
    assert visit.agenda_items.count() == 1


def test_item_outside_the_visit_is_refused_and_nothing_saved(client, staff_py, visit):
    client.force_login(staff_py)
    response = client.get(edit_url(visit))
    outside = new_item("2024-05-09", "09:00", "10:00", "Farewell lunch", place="Hotel")
    response = client.post(edit_url(visit), form_data(visit, response, [*TWO_DAYS, outside]))
    assert response.status_code == 200
    assert visit.agenda_items.count() == 0
    formset = response.context["formset"]
    assert formset.forms[3].errors == {
        "day": ["The day must fall within the visit, from 2024-05-06 to 2024-05-08."]
    }
    assert not any(form.errors for form in formset.forms[:3])
    # The error is at the field, and every typed value is still there.
    (day,) = find(response, "input", name=f"{PREFIX}-3-day")
    assert "is-invalid" in day["class"]
    assert day["value"] == "2024-05-09"
    assert input_value(response, f"{PREFIX}-3-title") == "Farewell lunch"
    assert input_value(response, f"{PREFIX}-0-title") == "Welcome by the minister"
    assert input_value(response, f"{PREFIX}-2-start_time") == "09:30"
    content = text(response)
    assert "Nothing was saved. Please correct the errors below." in content
    assert "The day must fall within the visit" in content


def test_end_before_start_is_refused(client, staff_py, visit):
    client.force_login(staff_py)
    response = client.get(edit_url(visit))
    backwards = new_item("2024-05-06", "15:00", "14:00", "Backwards")
    response = client.post(edit_url(visit), form_data(visit, response, [TWO_DAYS[0], backwards]))
    assert response.status_code == 200
    assert visit.agenda_items.count() == 0
    assert response.context["formset"].forms[1].errors == {
        "end_time": ["The item must end after it starts."]
    }
    (end,) = find(response, "input", name=f"{PREFIX}-1-end_time")
    assert "is-invalid" in end["class"]


def test_missing_fields_are_refused_at_the_field(client, staff_py, visit):
    client.force_login(staff_py)
    response = client.get(edit_url(visit))
    incomplete = {"day": "2024-05-06", "start_time": "09:00", "end_time": "", "title": ""}
    response = client.post(edit_url(visit), form_data(visit, response, [incomplete]))
    assert response.status_code == 200
    assert set(response.context["formset"].forms[0].errors) == {"end_time", "title", "kind"}


def test_change_and_delete_items(client, staff_py, visit, items):
    workshop, site_visit, meeting = items
    client.force_login(staff_py)
    response = client.get(edit_url(visit))
    existing = [
        (site_visit, {"title": "Visit to two child-care centres", "end_time": "11:00"}),
        (meeting, {"DELETE": "on"}),
        (workshop, {}),
    ]
    response = client.post(edit_url(visit), form_data(visit, response, existing=existing))
    assert response.status_code == 302
    assert list(visit.agenda_items.values_list("title", "end_time")) == [
        ("Visit to two child-care centres", time(11, 0)),
        ("Workshop with the care teams", time(16, 0)),
    ]


def test_an_invalid_change_keeps_the_deletion_undone(client, staff_py, visit, items):
    workshop, site_visit, meeting = items
    client.force_login(staff_py)
    response = client.get(edit_url(visit))
    existing = [
        (site_visit, {"day": "2024-04-30"}),
        (meeting, {"DELETE": "on"}),
        (workshop, {"title": "Renamed"}),
    ]
    response = client.post(edit_url(visit), form_data(visit, response, existing=existing))
    assert response.status_code == 200
    assert visit.agenda_items.count() == 3
    assert not visit.agenda_items.filter(title="Renamed").exists()


def test_a_stale_form_is_refused(client, staff_py, coordinator, visit, items):
    client.force_login(staff_py)
    response = client.get(edit_url(visit))
    # Somebody else changes the agenda while the form is open.
    AgendaItem.objects.filter(pk=items[0].pk).update(title="Changed by the coordinator")
    response = client.post(edit_url(visit), form_data(visit, response, [TWO_DAYS[0]]))
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in text(response)
    assert visit.agenda_items.count() == 3
    assert input_value(response, f"{PREFIX}-0-title") == "Welcome by the minister"


def test_coordinator_edits_every_agenda(client, coordinator, visit):
    client.force_login(coordinator)
    response = client.get(edit_url(visit))
    assert response.status_code == 200
    response = client.post(edit_url(visit), form_data(visit, response, TWO_DAYS))
    assert response.status_code == 302
    assert visit.agenda_items.count() == 3


@pytest.mark.parametrize("username", ["staff-uy", "projectteam"])
def test_who_may_see_but_not_edit_gets_403(client, django_user_model, visit, username):
    client.force_login(django_user_model.objects.get(username=username))
    assert client.get(edit_url(visit)).status_code == 403
    data = {f"{PREFIX}-TOTAL_FORMS": "1", f"{PREFIX}-INITIAL_FORMS": "0"}
    data.update({f"{PREFIX}-0-{name}": value for name, value in TWO_DAYS[0].items()})
    assert client.post(edit_url(visit), data).status_code == 403
    assert visit.agenda_items.count() == 0


def test_uninvolved_staff_cannot_post(client, staff_br, visit):
    client.force_login(staff_br)
    assert client.post(edit_url(visit), {}).status_code == 404


@pytest.mark.parametrize("status", [Visit.Status.CLOSED, Visit.Status.CANCELLED])
def test_closed_visits_refuse_changes(client, staff_py, visit, status):
    client.force_login(staff_py)
    data = form_data(visit, client.get(edit_url(visit)), TWO_DAYS)
    Visit.objects.filter(pk=visit.pk).update(status=status)
    for response in (client.get(edit_url(visit)), client.post(edit_url(visit), data)):
        assert response.status_code == 302
        assert response["Location"] == visit.get_absolute_url()
        assert "it can no longer be changed" in messages_of(response)[-1]
    assert visit.agenda_items.count() == 0
