"""Work for Celery workers: the e-mails of the consultation and the rendering of reports."""

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from countries.models import Country, Membership

from .models import MethodologyVersion

logger = logging.getLogger(__name__)

REMINDER_DAYS = 3


def focal_points(countries):
    return (
        Membership.objects.filter(
            is_focal_point=True, actor__country__in=countries, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user", "actor__country")
    )


def _mail_focal_points(version, countries, template):
    """One task per focal point: a failed e-mail is retried for its recipient alone."""
    recipients = list(focal_points(countries).values_list("pk", flat=True))
    for membership_id in recipients:
        mail_focal_point.delay(version.pk, membership_id, template)
    return len(recipients)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def mail_focal_point(version_id, membership_id, template):
    """The e-mail `template` about a version in consultation, to one focal point, in the
    language of their country. Nothing once the consultation is over."""
    version = MethodologyVersion.objects.filter(pk=version_id).first()
    membership = focal_points(Country.objects.all()).filter(pk=membership_id).first()
    if version is None or membership is None or not version.in_consultation:
        return 0
    country = membership.actor.country
    with translation.override(country.language):
        context = {
            "version": version,
            "user": membership.user,
            "country": country,
            "url": settings.SITE_URL + version.get_absolute_url(),
        }
        subject = render_to_string(f"visits/email/{template}_subject.txt", context)
        body = render_to_string(f"visits/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [membership.user.email])
    return 1


@shared_task
def notify_consultation_opened(version_id):
    """Tell every partner's focal point that a consultation is open."""
    from .services import partner_countries

    version = MethodologyVersion.objects.filter(pk=version_id).first()
    if version is None or not version.in_consultation:
        return 0
    return _mail_focal_points(version, partner_countries(), "consultation_opened")


@shared_task
def send_consultation_reminders():
    """Three days before a deadline, remind the focal points who have not answered yet."""
    from .services import adoption_blockers

    today = timezone.localdate()
    due = MethodologyVersion.objects.filter(
        status=MethodologyVersion.Status.CONSULTATION,
        deadline__lte=today + timedelta(days=REMINDER_DAYS),
        deadline__gte=today,
    )
    sent = 0
    for version in due:
        # Claim the reminder of this round first, so that two beats never send it twice.
        claimed = MethodologyVersion.objects.filter(
            pk=version.pk, reminder_sent_round__lt=version.consultation_round
        ).update(reminder_sent_round=version.consultation_round)
        if claimed:
            missing = adoption_blockers(version).missing
            sent += _mail_focal_points(version, missing, "consultation_reminder")
    return sent


# --- reports -------------------------------------------------------------------

REPORT_RETRIES = 5


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT + 15,
    max_retries=REPORT_RETRIES,
)
def render_report(self, job_id):
    """Render a report job to PDF; a redelivered or duplicate message does nothing."""
    from .reports import jobs

    try:
        job = jobs.run(job_id)
    except jobs.TransientError as exc:
        if self.request.retries >= REPORT_RETRIES:
            jobs.give_up(job_id, exc)
            return None
        # Exponential backoff with jitter: 2, 4, 8… seconds, at most five minutes.
        countdown = min(300, 2 ** (self.request.retries + 1)) + random.uniform(0, 1)
        logger.warning(
            "Report job %s: transient error, retry in %.0f s: %s", job_id, countdown, exc
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    return job.status if job is not None else None


@shared_task
def sweep_report_jobs():
    """Beat, every minute: dispatch again the report jobs that waited or ran too long."""
    from .reports import jobs

    return jobs.sweep()
