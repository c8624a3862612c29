"""The immediate e-mail of a notification (core.tasks.send_notification_email): in the
recipient's language, once, retried for its recipient alone, never for a target they may no
longer see."""

import smtplib

import pytest
from django.conf import settings as django_settings
from django.core import mail

from core import notifications
from core.models import Notification, NotificationSettings
from core.tasks import send_notification_email
from countries.models import Membership
from tests.core.notification_kinds import KIND, paraguay_visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def visit(demo):
    return paraguay_visit()


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    def notify(*recipients, target, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            return notifications.notify(KIND, recipients, target, actor=actor, name="Ana")

    return notify


def mail_to(outbox, user):
    [message] = [m for m in outbox if m.to == [user.email]]
    return message


def test_the_mail_says_what_happened_and_links_to_the_inbox_item(
    visit, staff_uy, coordinator, mailoutbox, notify
):
    [notification] = notify(coordinator, target=visit)

    message = mail_to(mailoutbox, coordinator)
    assert message.subject == "PeerVisits: Person saved"
    assert "Person “Ana” saved." in message.body
    url = f"{django_settings.SITE_URL}/notifications/{notification.pk}/"
    assert url in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_mail_is_in_the_language_of_the_recipients_country(
    visit, staff_py, staff_uy, coordinator, mailoutbox, notify
):
    staff_br = Membership.objects.get(user__username="staff-br").user
    visit.delegations.create(country=Membership.objects.get(user=staff_br).actor.country)
    notify(staff_py, staff_br, coordinator, target=visit)

    assert "Persona «Ana» guardada." in mail_to(mailoutbox, staff_py).body  # Paraguay
    assert "Pessoa “Ana” salva." in mail_to(mailoutbox, staff_br).body  # Brazil
    assert "Person “Ana” saved." in mail_to(mailoutbox, coordinator).body  # IILA, Italy


def test_the_recipients_own_choice_of_language_comes_first(visit, staff_py, mailoutbox, notify):
    NotificationSettings.objects.create(user=staff_py, language="pt")
    notify(staff_py, target=visit)

    assert "Pessoa “Ana” salva." in mail_to(mailoutbox, staff_py).body


def test_without_a_country_or_a_choice_the_site_language(staff_py, settings):
    staff_py.memberships.all().delete()
    settings.LANGUAGE_CODE = "es"
    assert notifications.language_of(staff_py) == "es"
    NotificationSettings.objects.create(user=staff_py, language="")
    assert notifications.language_of(staff_py) == "es"


def test_a_failed_send_is_retried_for_its_recipient_alone(
    visit, staff_uy, coordinator, mailoutbox, notify, monkeypatch, settings
):
    # Eager tasks retry in the caller unless their errors propagate.
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    attempts = []
    send = mail.send_mail

    def flaky_send_mail(subject, body, sender, to):
        attempts.append(to)
        if to == [staff_uy.email] and attempts.count(to) == 1:
            raise smtplib.SMTPServerDisconnected("the server went away")
        return send(subject, body, sender, to)

    monkeypatch.setattr("core.tasks.send_mail", flaky_send_mail)
    notify(staff_uy, coordinator, target=visit)

    # Both items are in the inboxes at once; the coordinator's mail is sent once, Uruguay's
    # on its second try.
    assert Notification.objects.filter(recipient__in=[staff_uy, coordinator]).count() == 2
    assert attempts.count([coordinator.email]) == 1
    assert attempts.count([staff_uy.email]) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([staff_uy.email, coordinator.email])
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_failing_send_leaves_the_item_in_the_inbox_unsent(visit, staff_uy, monkeypatch, settings):
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    notification = Notification.objects.create(
        recipient=staff_uy, kind=KIND, target=visit, context={"name": "Ana"}
    )

    attempts = []

    def failing_send_mail(*args):
        attempts.append(args)
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("core.tasks.send_mail", failing_send_mail)
    result = send_notification_email.apply(args=[notification.pk])

    # Tried again up to its limit, then given up.
    assert len(attempts) == 1 + send_notification_email.max_retries
    assert result.failed()
    assert result.info.__class__ is ConnectionRefusedError
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_an_item_is_mailed_once(visit, staff_uy, mailoutbox):
    notification = Notification.objects.create(
        recipient=staff_uy, kind=KIND, target=visit, context={"name": "Ana"}
    )

    assert send_notification_email(notification.pk) == 1
    assert send_notification_email(notification.pk) == 0
    assert len(mailoutbox) == 1


def test_an_item_whose_target_became_invisible_is_deleted_not_sent(visit, staff_uy, mailoutbox):
    notification = Notification.objects.create(
        recipient=staff_uy, kind=KIND, target=visit, context={"name": "Ana"}
    )
    visit.delegations.filter(country__code="UY").delete()

    assert send_notification_email(notification.pk) == 0
    assert mailoutbox == []
    assert not Notification.objects.filter(pk=notification.pk).exists()


def test_an_item_of_a_user_deactivated_since_is_deleted_not_sent(visit, staff_uy, mailoutbox):
    notification = Notification.objects.create(
        recipient=staff_uy, kind=KIND, target=visit, context={"name": "Ana"}
    )
    staff_uy.is_active = False
    staff_uy.save()

    assert send_notification_email(notification.pk) == 0
    assert mailoutbox == []
    assert not Notification.objects.filter(pk=notification.pk).exists()
