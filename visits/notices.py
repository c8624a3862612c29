"""
Who is told what about visits: each step where somebody else must act notifies them
(core.notifications: an inbox item and, as each recipient prefers, an e-mail in their language).
The workflow and the pages call these after a change; the kinds are registered at start-up
(VisitsConfig.ready).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import notifications
from core.models import Notification
from countries.models import Membership

from .models import Finding, Visit

PLAN_SUBMITTED = "visits.plan_submitted"
PLAN_APPROVED = "visits.plan_approved"
PLAN_RETURNED = "visits.plan_returned"
DELEGATION_ADDED = "visits.delegation_added"
VISIT_CONDUCTED = "visits.visit_conducted"
PLAN_CHANGED = "visits.plan_changed"
RECOMMENDATION_ADDRESSED = "visits.recommendation_addressed"
RESPONSE_DUE = "visits.response_due"


def register():
    for kind, label, text in [
        (
            PLAN_SUBMITTED,
            _("A plan is submitted for approval"),
            _("The plan of “%(visit)s” was submitted for your approval."),
        ),
        (
            PLAN_APPROVED,
            _("Your country's plan is approved"),
            _("The coordinator approved the plan of “%(visit)s”."),
        ),
        (
            PLAN_RETURNED,
            _("Your country's plan is returned"),
            _("The coordinator returned the plan of “%(visit)s”: %(reason)s"),
        ),
        (
            DELEGATION_ADDED,
            _("Your country is invited to a visit"),
            _("Your country takes part in “%(visit)s”: please list its participants."),
        ),
        (
            VISIT_CONDUCTED,
            _("A visit took place: findings and evaluations are due"),
            _("“%(visit)s” took place: please record your delegation's findings and evaluations."),
        ),
        (
            PLAN_CHANGED,
            _("An approved plan changed"),
            _("The approved plan of “%(visit)s” changed: %(changes)s"),
        ),
        (
            RECOMMENDATION_ADDRESSED,
            _("A recommendation is addressed to your country"),
            _("“%(visit)s”: the recommendation “%(title)s” is addressed to %(addressee)s."),
        ),
        (
            RESPONSE_DUE,
            _("A recommendation awaits a response"),
            _(
                "“%(visit)s” closed %(days)s days ago: the recommendation “%(title)s” "
                "awaits a response."
            ),
        ),
    ]:
        notifications.register(kind, label, text)
    notifications.register_target(Visit)
    notifications.register_target(Finding)


def staff_of(country_ids):
    """The active ministry staff of the countries."""
    return Membership.objects.staff_of(country_ids).users()


def coordinators():
    return Membership.objects.filter(role=Membership.Role.COORDINATOR).users()


def delegation_country_ids(visit):
    return set(visit.delegations.values_list("country_id", flat=True))


def plan_moved(visit, transition, user, note=""):
    """A workflow step was taken: tell whoever acts next (workflow.apply_transition)."""
    about = {"visit": visit.title}
    if transition == "submit":
        notifications.notify(PLAN_SUBMITTED, coordinators(), visit, user, **about)
    elif transition == "approve":
        notifications.notify(PLAN_APPROVED, staff_of([visit.host_country_id]), visit, user, **about)
    elif transition == "return":
        recipients = staff_of([visit.host_country_id])
        notifications.notify(PLAN_RETURNED, recipients, visit, user, reason=note, **about)
    elif transition == "conduct":
        recipients = staff_of(delegation_country_ids(visit))
        notifications.notify(VISIT_CONDUCTED, recipients, visit, user, **about)


def delegations_added(visit, delegations, user):
    """Countries were added to a visit: their staff list their participants."""
    countries = {d.country_id for d in delegations if not d.is_host}
    if countries:
        notifications.notify(DELEGATION_ADDED, staff_of(countries), visit, user, visit=visit.title)


def plan_changed(visit, changes, user):
    """An approved plan changed (dates, city, delegations, agenda): every delegation hears of it
    and the coordinators approve it again."""
    text = "; ".join(changes)
    recipients = [*staff_of(delegation_country_ids(visit)), *coordinators()]
    notifications.notify(PLAN_CHANGED, recipients, visit, user, visit=visit.title, changes=text)


def recommendation_addressed(finding, user):
    """A recommendation names an addressee: its country's staff are told."""
    if not finding.is_recommendation or finding.addressee is None:
        return
    country = finding.addressee.country_id
    if country is None:
        return
    notifications.notify(
        RECOMMENDATION_ADDRESSED,
        staff_of([country]),
        finding,
        user,
        visit=finding.visit.title,
        title=finding.title,
        addressee=finding.addressee,
    )


def ask_for_responses(today=None):
    """The recommendations still open RECOMMENDATION_RESPONSE_DAYS (or more) after their visit
    closed, never asked about before: their addressee's staff are asked for a response (the
    host's when the recommendation has no addressee, or one of a country that takes no part in
    the visit, whose staff could not see it). `today` (a date) is the local date by default.
    Run daily by Celery beat (visits.tasks)."""
    days = settings.RECOMMENDATION_RESPONSE_DAYS
    today = today or timezone.localdate()
    asked = Notification.objects.filter(
        kind=RESPONSE_DUE, content_type=ContentType.objects.get_for_model(Finding)
    ).values("object_id")
    findings = (
        Finding.objects.filter(
            kind=Finding.Kind.RECOMMENDATION,
            follow_up_status=Finding.FollowUp.OPEN,
            visit__status=Visit.Status.CLOSED,
            visit__closed_at__date__lte=today - timedelta(days=days),
        )
        .exclude(pk__in=asked)
        .select_related("visit", "addressee")
    )
    count = 0
    for finding in findings:
        visit = finding.visit
        country = finding.addressee.country_id if finding.addressee else None
        if country is None or country not in {
            visit.host_country_id,
            *delegation_country_ids(visit),
        }:
            country = visit.host_country_id
        notifications.notify(
            RESPONSE_DUE,
            staff_of([country]),
            finding,
            visit=visit.title,
            title=finding.title,
            days=(today - timezone.localdate(visit.closed_at)).days,
        )
        count += 1
    return count
