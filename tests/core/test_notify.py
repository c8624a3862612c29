"""core.notifications.notify: who receives a notification, on which channel, and when not
again (the repeat window)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from core import notifications
from core.models import Channel, Notification, NotificationPreference
from countries.models import Country
from tests.core.notification_kinds import KIND, paraguay_visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def visit(demo):
    return paraguay_visit()


def notify(*recipients, target, actor=None, **context):
    return notifications.notify(KIND, recipients, target, actor=actor, name="Ana", **context)


def test_everyone_who_sees_the_target_is_notified_but_the_actor(
    visit, staff_py, staff_uy, staff_br, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(staff_py, staff_uy, staff_br, coordinator, target=visit, actor=staff_py)

    # Brazil takes no part in the visit; Paraguay's focal point did it.
    assert {n.recipient for n in created} == {staff_uy, coordinator}
    notification = Notification.objects.get(recipient=staff_uy)
    assert notification.target == visit
    assert notification.actor == staff_py
    assert notification.kind == KIND
    assert notification.context == {"name": "Ana"}
    assert notification.text == "Person “Ana” saved."
    assert notification.read_at is None


def test_inactive_users_and_duplicates_are_skipped(
    visit, staff_uy, coordinator, django_capture_on_commit_callbacks
):
    coordinator.is_active = False
    coordinator.save()
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(staff_uy, staff_uy, coordinator, None, target=visit)

    assert [n.recipient for n in created] == [staff_uy]
    assert Notification.objects.count() == 1


def test_nothing_is_created_before_the_transaction_commits(
    visit, staff_uy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        created = notify(staff_uy, target=visit)
        assert created == []
        assert not Notification.objects.exists()
    assert len(callbacks) == 1


def test_nothing_is_created_when_the_transaction_rolls_back(visit, staff_uy):
    with transaction.atomic():
        notify(staff_uy, target=visit)
        transaction.set_rollback(True)
    assert not Notification.objects.exists()


def test_the_recipients_see_the_target_as_it_is_when_the_action_commits(
    visit, staff_br, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(staff_br, target=visit)
        # Brazil joins the visit in the same transaction, before it commits.
        visit.delegations.create(country=Country.objects.get(code="BR"))

    assert Notification.objects.filter(recipient=staff_br).exists()


def test_the_channel_is_the_recipients_preference_for_the_kind(
    visit, staff_py, staff_uy, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=staff_uy, kind=KIND, channel=Channel.DAILY)
    NotificationPreference.objects.create(user=coordinator, kind=KIND, channel=Channel.IN_APP)
    # A preference for another kind says nothing of this one.
    NotificationPreference.objects.create(user=staff_py, kind="other", channel=Channel.WEEKLY)
    with django_capture_on_commit_callbacks(execute=True):
        notify(staff_py, staff_uy, coordinator, target=visit)

    channels = dict(Notification.objects.values_list("recipient__username", "channel"))
    assert channels == {
        "staff-py": Channel.IMMEDIATE,
        "staff-uy": Channel.DAILY,
        "coordinator": Channel.IN_APP,
    }
    # Only the immediate one is e-mailed now.
    assert [m.to for m in mailoutbox] == [[staff_py.email]]
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 1


def test_an_unread_repeat_within_the_window_is_not_created_again(
    visit, staff_uy, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_REPEAT_WINDOW = timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(staff_uy, coordinator, target=visit)
    Notification.objects.filter(recipient=coordinator).update(read_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        again = notify(staff_uy, coordinator, target=visit)

    assert len(first) == 2
    # Uruguay's item is still unread: not again; the coordinator read theirs.
    assert [n.recipient for n in again] == [coordinator]
    assert Notification.objects.filter(recipient=staff_uy).count() == 1


def test_a_repeat_after_the_window_or_of_another_target_is_created(
    visit, staff_uy, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_REPEAT_WINDOW = timedelta(hours=1)
    other_visit = paraguay_visit("Another visit")
    with django_capture_on_commit_callbacks(execute=True):
        notify(staff_uy, target=visit)
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=61))

    with django_capture_on_commit_callbacks(execute=True):
        later = notify(staff_uy, target=visit)
        elsewhere = notify(staff_uy, target=other_visit)

    assert len(later) == len(elsewhere) == 1
    assert Notification.objects.filter(recipient=staff_uy).count() == 3


def test_an_unknown_kind_or_target_is_refused_at_once(visit, staff_uy):
    with pytest.raises(ImproperlyConfigured):
        notifications.notify("tests.unknown", [staff_uy], visit)
    with pytest.raises(ImproperlyConfigured):
        notifications.notify(KIND, [staff_uy], staff_uy.memberships.first())
