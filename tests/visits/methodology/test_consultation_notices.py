"""The consultation in the inbox: its e-mails to the focal points (visits/methodology/tasks.py)
are inbox items too, not e-mailed a second time; an adopted version tells the partners' staff."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from core.forms import NotificationPreferencesForm
from core.models import Channel, Notification
from tests.visits.methodology.test_methodology_rules import PARTNERS, everyone_agrees, in_future
from visits.methodology import notices
from visits.methodology import workflow as services
from visits.methodology.models import MethodologyVersion


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def draft(demo, coordinator):
    """Version 2 drafted anew from the adopted version 1."""
    MethodologyVersion.objects.filter(number=2).delete()
    return services.draft_new_version(coordinator)


def inbox(kind):
    return sorted((n.recipient.username, n.channel) for n in Notification.objects.filter(kind=kind))


def test_opening_puts_the_consultation_in_each_focal_points_inbox_once(
    draft, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.open_consultation(draft, coordinator, in_future(14))
    focal_points = sorted(f"staff-{code.lower()}" for code in PARTNERS)
    assert inbox(notices.CONSULTATION_OPENED) == [(u, Channel.IN_APP) for u in focal_points]
    # One e-mail each: the consultation's own.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        get_user_model().objects.get(username=u).email for u in focal_points
    )


def test_an_adopted_version_tells_the_partners_staff(
    draft, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.open_consultation(draft, coordinator, in_future(14))
    everyone_agrees(draft.number)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.adopt(draft, coordinator)
    staff = sorted(f"staff-{code.lower()}" for code in PARTNERS)
    assert inbox(notices.VERSION_ADOPTED) == [(u, Channel.IMMEDIATE) for u in staff]
    assert len(mail.outbox) == len(staff)


def test_the_settings_offer_only_the_kinds_the_user_can_choose_for(demo, staff_py):
    labels = {str(field.label) for field in NotificationPreferencesForm(user=staff_py)}
    assert "A methodology version is adopted" in labels
    assert "A consultation on the methodology is open" not in labels
