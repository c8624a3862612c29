"""Summaries kept on write (core.summaries): what a page would otherwise count over the
whole programme on every view; notifications (core.notifications): a user's inbox and what
they chose to receive by e-mail."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import notification_registry as registry


class Summary(models.Model):
    """The figures of one summary (its key names who computes them), as JSON, and when they
    were computed."""

    key = models.CharField(_("summary"), max_length=50, unique=True)
    data = models.JSONField(_("figures"), default=dict)
    # What the summary's watermark read when it was computed (see core.summaries).
    watermark = models.JSONField(_("watermark"), null=True)
    computed_at = models.DateTimeField(_("computed"), null=True)

    class Meta:
        verbose_name = _("summary")
        verbose_name_plural = _("summaries")

    def __str__(self):
        return self.key


class SummaryChange(models.Model):
    """A write that a summary has not counted yet. Written in the writer's transaction: an
    insert, so writers never wait for each other on it; deleted once a summary computed after
    that transaction's commit has counted it."""

    key = models.CharField(max_length=50, db_index=True)

    class Meta:
        verbose_name = _("summary change")
        verbose_name_plural = _("summary changes")

    def __str__(self):
        return self.key


# --- notifications (core.notifications) ---------------------------------------------------


class Channel(models.TextChoices):
    """How a user hears of a kind of notification, beside the inbox, which always has it."""

    IMMEDIATE = "immediate", _("E-mail at once")
    DAILY = "daily", _("Daily digest by e-mail")
    WEEKLY = "weekly", _("Weekly digest by e-mail")
    IN_APP = "in_app", _("In PeerVisits only, no e-mail")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def visible_to(self, user):
        """The user's own notifications whose target they may still see: one subquery per
        registered target model, no query per row."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(recipient=user).filter(registry.visible_targets(user))

    def mark_read(self):
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """Something that happened to an object a user follows: an item of their inbox and, as
    their preference for its kind says, an e-mail at once or in a digest."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("type of target"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("target"))
    target = GenericForeignKey("content_type", "object_id")
    # The values the kind's sentence is worded with, as they were when it happened.
    context = models.JSONField(_("context"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    # The recipient's preference when it was created: what decided its e-mail.
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.IMMEDIATE
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["channel", "recipient"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_to_email",
            ),
            models.Index(fields=["content_type", "object_id"], name="notification_target"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"

    def get_absolute_url(self):
        return reverse("notifications:open", args=[self.pk])

    @property
    def text(self):
        """The kind's sentence worded with the context, in the active language."""
        kind = registry.KINDS.get(self.kind)
        return registry.word(kind.text, self.context) if kind else self.kind

    @property
    def subject(self):
        kind = registry.KINDS.get(self.kind)
        return registry.word(kind.subject, self.context) if kind else self.kind

    @property
    def target_is_visible(self):
        return registry.target_is_visible(
            self.content_type.model_class(), self.object_id, self.recipient
        )

    @property
    def is_unread(self):
        return self.read_at is None


class NotificationPreferenceQuerySet(models.QuerySet):
    def channels(self, kind, users):
        """{user id: channel} for the users who chose one for `kind` (the others: IMMEDIATE)."""
        return dict(self.filter(kind=kind, user__in=users).values_list("user_id", "channel"))


class NotificationPreference(models.Model):
    """A user's channel for one kind; without one, the kind is e-mailed at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=80)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)

    objects = NotificationPreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_notification_preference")
        ]

    def __str__(self):
        return f"{self.user}: {self.kind} → {self.channel}"


class NotificationSettings(models.Model):
    """What a user chose for all their notifications: the language of their e-mails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    language = models.CharField(
        _("language of e-mails"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the language of your country."),
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)

    @staticmethod
    def language_of(user):
        """The language of `user`'s e-mails: their own choice, else their country's (the
        registered resolver), else the site's."""
        chosen = NotificationSettings.objects.filter(user=user).values_list("language", flat=True)
        return chosen.first() or registry.country_language(user) or settings.LANGUAGE_CODE
