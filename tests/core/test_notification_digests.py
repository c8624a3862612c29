"""Digests (core.tasks.send_digests, send_digest): one e-mail per user and period listing
every item not e-mailed yet; never an item twice, never an empty mail."""

import pytest
from django.conf import settings as django_settings

from core.models import Channel, Notification
from core.tasks import send_digest, send_digests
from tests.core.notification_kinds import KIND, paraguay_visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def visit(demo):
    return paraguay_visit()


def item(user, target, name, channel=Channel.DAILY):
    return Notification.objects.create(
        recipient=user, kind=KIND, target=target, context={"name": name}, channel=channel
    )


def test_two_items_of_a_day_make_one_daily_mail_then_none(visit, staff_uy, mailoutbox):
    first = item(staff_uy, visit, "Ana")
    second = item(staff_uy, visit, "Bruno")

    assert send_digests("daily") == 1

    [message] = mailoutbox
    assert message.to == [staff_uy.email]
    assert message.subject == "PeerVisits: 2 notificaciones hoy"  # Uruguay's language
    # Uruguay's language.
    assert "Persona «Ana» guardada." in message.body
    assert "Persona «Bruno» guardada." in message.body
    for notification in (first, second):
        assert f"{django_settings.SITE_URL}/notifications/{notification.pk}/" in message.body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()

    # Again: everything is sent; nothing new, no mail.
    assert send_digests("daily") == 0
    assert send_digest(staff_uy.pk, "daily") == 0
    assert len(mailoutbox) == 1


def test_a_digest_has_only_its_periods_items(visit, staff_uy, coordinator, mailoutbox):
    item(staff_uy, visit, "Ana", Channel.WEEKLY)
    item(staff_uy, visit, "Bruno", Channel.DAILY)
    item(coordinator, visit, "Carla", Channel.IN_APP)
    item(coordinator, visit, "Diego", Channel.IMMEDIATE)

    assert send_digests("weekly") == 1

    [message] = mailoutbox
    assert message.to == [staff_uy.email]
    assert "«Ana»" in message.body
    assert "Bruno" not in message.body
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 3


def test_no_mail_without_items(staff_uy, mailoutbox):
    assert send_digests("daily") == 0
    assert send_digest(staff_uy.pk, "daily") == 0
    assert mailoutbox == []


def test_items_the_user_may_no_longer_see_are_deleted_not_listed(visit, staff_uy, mailoutbox):
    other_visit = paraguay_visit("Another visit")
    kept = item(staff_uy, visit, "Ana")
    gone = item(staff_uy, other_visit, "Bruno")
    other_visit.delegations.filter(country__code="UY").delete()

    assert send_digest(staff_uy.pk, "daily") == 1

    [message] = mailoutbox
    assert "«Ana»" in message.body
    assert "Bruno" not in message.body
    assert not Notification.objects.filter(pk=gone.pk).exists()
    kept.refresh_from_db()
    assert kept.emailed_at is not None


def test_no_mail_when_no_item_is_visible_any_more(visit, staff_uy, mailoutbox):
    item(staff_uy, visit, "Ana")
    visit.delegations.filter(country__code="UY").delete()

    assert send_digest(staff_uy.pk, "daily") == 0
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_digests_are_scheduled_daily_and_on_mondays():
    schedule = {
        entry["args"]: entry["schedule"]
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "core.tasks.send_digests"
    }
    assert set(schedule) == {("daily",), ("weekly",)}
    assert schedule[("daily",)].day_of_week == set(range(7))
    assert schedule[("weekly",)].day_of_week == {1}
