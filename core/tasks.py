"""Work for Celery workers: the e-mails of notifications, one per notification (immediate)
or one per user and period (digests). Each task re-reads what it sends: an item whose target
its recipient may no longer see is deleted, not sent."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Channel, Notification, NotificationSettings

# A mail server that refuses or cannot be reached: the task is tried again, for its
# recipient alone.
MAIL_ERRORS = (OSError, smtplib.SMTPException)
DIGEST_CHANNELS = {"daily": Channel.DAILY, "weekly": Channel.WEEKLY}


def absolute_url(notification):
    """The inbox item's address: opening it marks it read and leads to the target."""
    return settings.SITE_URL + notification.get_absolute_url()


def _mail(user, template, context):
    with translation.override(NotificationSettings.language_of(user)):
        context = {**context, "user": user}
        subject = render_to_string(f"core/email/{template}_subject.txt", context)
        body = render_to_string(f"core/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])


@shared_task(autoretry_for=MAIL_ERRORS, retry_backoff=True, max_retries=5)
def send_notification_email(notification_id):
    """The e-mail of one notification to its recipient, once. Returns the mails sent."""
    with transaction.atomic():
        # Locked while it is sent: the same task delivered twice sends it once.
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "content_type")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return 0
        if not notification.target_is_visible:
            notification.delete()
            return 0
        if not notification.recipient.email:
            return 0  # the inbox has it
        _mail(
            notification.recipient,
            "notification",
            {"notification": notification, "url": absolute_url(notification)},
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return 1


@shared_task
def send_digests(period):
    """Queues the `period` ("daily", "weekly") digest of every user with items waiting."""
    waiting = (
        Notification.objects.filter(channel=DIGEST_CHANNELS[period], emailed_at__isnull=True)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    user_ids = list(waiting)
    for user_id in user_ids:
        send_digest.delay(user_id, period)
    return len(user_ids)


@shared_task(autoretry_for=MAIL_ERRORS, retry_backoff=True, max_retries=5)
def send_digest(user_id, period):
    """One e-mail listing every item of `period` not e-mailed yet to the user, then marked
    e-mailed; nothing when none is left. Returns the mails sent."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return 0
    with transaction.atomic():
        # Locked until marked: a digest running at the same time waits, then finds them sent.
        pending = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(recipient=user, channel=DIGEST_CHANNELS[period], emailed_at__isnull=True)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
        )
        visible = Notification.objects.filter(pk__in=pending).visible_to(user)
        items = list(visible.select_related("content_type").order_by("created_at", "pk"))
        gone = set(pending) - {item.pk for item in items}
        if gone:
            Notification.objects.filter(pk__in=gone).delete()
        if not items or not user.email:
            return 0
        _mail(
            user,
            "digest",
            {"items": [(item, absolute_url(item)) for item in items], "period": period},
        )
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(
            emailed_at=timezone.now()
        )
    return 1
