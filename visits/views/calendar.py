"""
A user's personal calendar feed: every visit they may see, with its agenda, at a secret
address that calendar applications poll without a session; and the page that gives the
address and renews it.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from icalendar import Event, vDuration

from core.models import NotificationSettings

from ..models import AgendaItem, CalendarFeed, Visit
from .agenda import EVENT_STATUS, add_time_zones, agenda_events, new_calendar

# How often calendar applications are asked to fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=1)


def feed_visits(user):
    """The visits of `user`'s feed: those they may see, dated and not cancelled, with their
    agenda (a fixed number of queries, however many visits)."""
    items = AgendaItem.objects.select_related("responsible_actor__country")
    return (
        Visit.objects.visible_to(user)
        .exclude(status=Visit.Status.CANCELLED)
        .filter(start_date__isnull=False)
        .select_related("host_country")
        .prefetch_related(Prefetch("agenda_items", queryset=items))
    )


def visit_event(visit, url, stamp):
    """The visit as an all-day event over its dates (the end date is exclusive in iCalendar)."""
    event = Event()
    event.add("uid", f"visit-{visit.pk}@peervisits")
    event.add("dtstamp", stamp)
    event.add("dtstart", visit.start_date)
    event.add("dtend", (visit.end_date or visit.start_date) + timedelta(days=1))
    event.add("summary", str(visit))
    if visit.city:
        event.add("location", visit.city)
    lines = [f"{_('Status')}: {visit.get_status_display()}"]
    if visit.objectives:
        lines += ["", visit.objectives]
    event.add("description", "\n".join(lines))
    event.add("status", EVENT_STATUS.get(visit.status, "CONFIRMED"))
    event.add("transp", "TRANSPARENT")  # the visit's days; its agenda items are the busy time
    event.add("url", url)
    return event


def personal_calendar(user):
    """`user`'s visits and their agendas as one iCalendar object."""
    calendar = new_calendar("PeerVisits", prodid="-//PeerVisits//Personal calendar//EN")
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    stamp = timezone.now()
    days = []
    for visit in feed_visits(user):
        url = settings.SITE_URL + visit.get_absolute_url()
        calendar.add_component(visit_event(visit, url, stamp))
        items = visit.agenda_items.all()
        for event in agenda_events(visit, items, url, stamp):
            calendar.add_component(event)
        days += [item.day for item in items]
    add_time_zones(calendar, days)
    return calendar


# --- the views ---------------------------------------------------------------------------


@require_safe
def feed(request, token):
    """The feed: the token in the address is the key (a lookup on a unique, indexed column of
    long random values). An unknown or replaced token, or a deactivated user's, is a 404."""
    calendar_feed = get_object_or_404(
        CalendarFeed.objects.select_related("user"), token=token, user__is_active=True
    )
    user = calendar_feed.user
    with translation.override(NotificationSettings.language_of(user)):
        body = personal_calendar(user).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="peervisits.ics"'
    # Personal, and at a secret address: never kept by a shared cache, nor anywhere after a
    # renewal; calendar applications fetch it again anyway (REFRESH_INTERVAL).
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def feed_settings(request):
    """The page with the user's feed address; POST creates it the first time."""
    if request.method == "POST":
        _feed, created = CalendarFeed.objects.get_or_create(user=request.user)
        if created:
            messages.success(request, _("Your calendar link is ready."))
        return redirect("calendar:feed_settings")
    calendar_feed = CalendarFeed.objects.filter(user=request.user).first()
    context = {"calendar_feed": calendar_feed}
    if calendar_feed:
        # webcal:// opens the subscription dialogue of most calendar applications.
        context["webcal_url"] = "webcal://" + calendar_feed.url.split("://", 1)[-1]
    return render(request, "visits/calendar_feed.html", context)


@login_required
@require_POST
def feed_renew(request):
    """A new secret address; the old one stops working at once."""
    CalendarFeed.renew_for(request.user)
    messages.success(
        request,
        _(
            "Your calendar link was renewed: the old link no longer works. Subscribe again "
            "with the new one in your calendar applications."
        ),
    )
    return redirect("calendar:feed_settings")
