"""
Notifications: an item in the recipient's inbox and, as their preference for its kind says,
an e-mail at once, in a daily or weekly digest, or none; always in the recipient's language.

The apps register, in their AppConfig.ready(), the kinds of notification they send
(`register`), the models notifications point to (`register_target`: their manager answers
visible_to(user), so that an item whose target its recipient may no longer see is neither
shown nor sent) and who knows a user's language (`register_language`). Then a service calls
`notify(kind, recipients, target, actor=..., **context)` where something happens.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from . import notification_registry as registry
from .models import Channel, Notification, NotificationPreference, NotificationSettings
from .tasks import send_notification_email

register = registry.register
register_target = registry.register_target
register_language = registry.register_language
language_of = NotificationSettings.language_of

DEFAULT_REPEAT_WINDOW = timedelta(hours=1)


def kinds():
    """The registered kinds, by code."""
    return dict(registry.KINDS)


def repeat_window():
    return getattr(settings, "NOTIFICATION_REPEAT_WINDOW", DEFAULT_REPEAT_WINDOW)


def notify(kind, recipients, target, actor=None, **context):
    """Notifies `recipients` (users) that `kind` happened to `target`, done by `actor`.

    The items are created once the current transaction commits (nothing if it rolls back),
    for the active recipients who may see the target then, but the actor, and but those who
    have the same unread item from less than NOTIFICATION_REPEAT_WINDOW ago. Each one whose
    preference is immediate gets its e-mail from a task of its own. Returns the list the
    items are added to when they are created (at once outside a transaction)."""
    registry.kind(kind)  # an unknown kind is the caller's mistake: say so now
    if not registry.is_target(type(target)):
        raise ImproperlyConfigured(f"{target._meta.label} is not a registered target")
    # Text, as it reads now: the context is stored as JSON.
    context = {name: str(value) for name, value in context.items()}
    recipient_ids = {user.pk for user in recipients if user is not None}
    recipient_ids.discard(getattr(actor, "pk", None))
    created = []

    def create_notifications():
        created.extend(_create(kind, recipient_ids, target, actor, context))

    # robust: the action has committed; a notification that fails must not undo or fail it.
    transaction.on_commit(create_notifications, robust=True)
    return created


def _create(kind, recipient_ids, target, actor, context):
    model = type(target)
    content_type = ContentType.objects.get_for_model(model)
    users = get_user_model().objects.filter(pk__in=recipient_ids, is_active=True)
    reached = [user for user in users if registry.target_is_visible(model, target.pk, user)]
    repeated = set(
        Notification.objects.unread()
        .filter(
            kind=kind,
            content_type=content_type,
            object_id=target.pk,
            recipient__in=reached,
            created_at__gte=timezone.now() - repeat_window(),
        )
        .values_list("recipient_id", flat=True)
    )
    reached = [user for user in reached if user.pk not in repeated]
    channels = NotificationPreference.objects.channels(kind, reached)
    if registry.kind(kind).emailed_by_sender:
        channels = dict.fromkeys((user.pk for user in reached), Channel.IN_APP)
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            actor=actor,
            content_type=content_type,
            object_id=target.pk,
            context=context,
            channel=channels.get(user.pk, Channel.IMMEDIATE),
        )
        for user in reached
    )
    for notification in notifications:
        if notification.channel == Channel.IMMEDIATE:
            send_notification_email.delay(notification.pk)
    return notifications


def save_preferences(user, channels, language):
    """Stores `user`'s channel per kind ({kind: channel}) and their e-mail language."""
    with transaction.atomic():
        for kind, channel in channels.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": channel}
            )
        NotificationSettings.objects.update_or_create(user=user, defaults={"language": language})
