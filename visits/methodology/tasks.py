"""Work for Celery workers: the e-mails of the consultation on a methodology version."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from countries.models import Country, Membership

from . import notices
from .models import ConsultationReminder, MethodologyVersion

REMINDER_DAYS = 3


def _mail_focal_points(version, countries, template):
    """One task per focal point: a failed e-mail is retried for its recipient alone. Each
    also finds it in their inbox (notices: the e-mail is this one)."""
    reached = Membership.objects.focal_points().filter(actor__country__in=countries)
    memberships = list(reached)
    for membership in memberships:
        mail_focal_point.delay(version.pk, membership.pk, template)
    notices.consultation_mailed(version, [m.user for m in memberships], template)
    return len(memberships)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def mail_focal_point(version_id, membership_id, template):
    """The e-mail `template` about a version in consultation, to one focal point, in the
    language of their country. Nothing once the consultation is over."""
    version = MethodologyVersion.objects.filter(pk=version_id).first()
    membership = Membership.objects.focal_points().filter(pk=membership_id).first()
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
        subject = render_to_string(f"visits/methodology/email/{template}_subject.txt", context)
        body = render_to_string(f"visits/methodology/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [membership.user.email])
    return 1


@shared_task
def notify_consultation_opened(version_id):
    """Tell every partner's focal point that a consultation is open."""
    version = MethodologyVersion.objects.filter(pk=version_id).first()
    if version is None or not version.in_consultation:
        return 0
    return _mail_focal_points(version, Country.objects.partners(), "consultation_opened")


@shared_task
def send_consultation_reminders():
    """Three days before a deadline, remind the focal points who have not answered yet."""
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
            missing = version.adoption_blockers().missing
            if missing:
                # Recorded like a coordinator's reminder, with nobody as its sender.
                ConsultationReminder.objects.record(version, missing)
                sent += _mail_focal_points(version, missing, "consultation_reminder")
    return sent
