"""
The agenda of a visit: a printable page, its editing form and an iCalendar download.
"""

from datetime import datetime, timedelta
from itertools import groupby
from operator import attrgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from core.concurrency import STALE_MESSAGE, fingerprint, save_unless_changed

from .. import workflow
from ..forms import AgendaFormSet
from ..models import AgendaItem, Visit
from .common import get_visit, refuse_if_closed, send_back_if_replanned


def agenda_state(visit):
    """A fingerprint of the saved agenda, to refuse a form shown before somebody else saved."""
    return fingerprint(AgendaItem.objects.filter(visit=visit))


# --- the views ---------------------------------------------------------------------------


def _items(visit):
    return visit.agenda_items.select_related("responsible_actor__country")


@login_required
def agenda(request, pk):
    """The agenda as a page to read and print, day by day."""
    visit = get_visit(request, pk)
    days = [(day, list(items)) for day, items in groupby(_items(visit), key=attrgetter("day"))]
    may_edit = visit.is_open and request.user.has_perm("visits.change_agendaitem", visit)
    return render(
        request, "visits/agenda.html", {"visit": visit, "days": days, "may_edit": may_edit}
    )


@login_required
def agenda_edit(request, pk):
    """All items of the agenda in one form: add, change and remove, without JavaScript."""
    visit = get_visit(request, pk, "visits.change_agendaitem")
    if refused := refuse_if_closed(request, visit):
        return refused
    queryset = visit.agenda_items.all()
    stale = False
    formset = AgendaFormSet(request.POST or None, instance=visit, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        # One save of an agenda at a time; all of it or nothing.
        lock = Visit.objects.filter(pk=visit.pk).only("pk")
        if save_unless_changed(lock, queryset, request.POST.get("state"), formset.save):
            messages.success(request, _("The agenda was saved."))
            changes = workflow.formset_changes(formset, _("Agenda item"))
            send_back_if_replanned(request, visit, changes)
            return redirect(visit)
        stale = True
    context = {
        "visit": visit,
        "formset": formset,
        # After a refusal too: saved again after comparing, the form replaces the agenda.
        "state": agenda_state(visit),
        "stale": stale,
        "stale_message": STALE_MESSAGE,
    }
    return render(request, "visits/agenda_form.html", context)


# --- iCalendar -------------------------------------------------------------------------

# Agenda times are the local times of the place of the visit. For the programme's countries
# that is one known zone; any other host uses the zone of the installation.
HOST_TIME_ZONES = {
    "BR": "America/Sao_Paulo",  # Brasília time
    "CL": "America/Santiago",
    "CO": "America/Bogota",
    "CR": "America/Costa_Rica",
    "PY": "America/Asuncion",
    "UY": "America/Montevideo",
}


def visit_time_zone(visit):
    return ZoneInfo(HOST_TIME_ZONES.get(visit.host_country.code.code, settings.TIME_ZONE))


def _description(item):
    lines = [_("Kind: %(kind)s") % {"kind": item.get_kind_display()}]
    if item.responsible_actor:
        actor = item.responsible_actor
        name = f"{actor} ({actor.country.name})" if actor.country_id else str(actor)
        lines.append(_("Responsible: %(actor)s") % {"actor": name})
    if item.notes:
        lines += ["", item.notes]
    return "\n".join(lines)


EVENT_STATUS = {
    Visit.Status.DRAFT: "TENTATIVE",
    Visit.Status.RETURNED: "TENTATIVE",
    Visit.Status.SUBMITTED: "TENTATIVE",
    Visit.Status.CANCELLED: "CANCELLED",
}


def new_calendar(name, prodid="-//PeerVisits//Visit agenda//EN"):
    """An empty iCalendar object named `name`, as calendar applications expect one."""
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # NAME (RFC 7986) and X-WR-CALNAME, which most calendar applications read.
    calendar.calendar_name = name
    return calendar


def agenda_events(visit, items, url="", stamp=None):
    """One event per agenda item of `visit`, in the host's time zone."""
    zone = visit_time_zone(visit)
    stamp = stamp or timezone.now()
    for item in items:
        event = Event()
        event.add("uid", f"agenda-item-{item.pk}@peervisits")
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.combine(item.day, item.start_time, tzinfo=zone))
        event.add("dtend", datetime.combine(item.day, item.end_time, tzinfo=zone))
        event.add("summary", item.title)
        location = item.place or visit.city
        if location:
            event.add("location", location)
        event.add("description", _description(item))
        event.add("status", EVENT_STATUS.get(visit.status, "CONFIRMED"))
        if url:
            event.add("url", url)
        yield event


def add_time_zones(calendar, days):
    """The VTIMEZONEs the events use, with their rules around `days` only, not the whole of
    their history."""
    if days:
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )


def agenda_calendar(visit, items, url=""):
    """The agenda as an iCalendar object: one event per item, in the host's time zone."""
    calendar = new_calendar(str(visit.label))
    calendar.add("x-wr-timezone", visit_time_zone(visit).key)
    for event in agenda_events(visit, items, url):
        calendar.add_component(event)
    add_time_zones(calendar, [item.day for item in items])
    return calendar


@login_required
def agenda_ics(request, pk):
    """The agenda as an iCalendar file, to import into a calendar application."""
    visit = get_visit(request, pk)
    items = list(_items(visit))
    url = request.build_absolute_uri(visit.get_absolute_url())
    calendar = agenda_calendar(visit, items, url)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    filename = f"agenda-{slugify(visit.label) or visit.pk}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
