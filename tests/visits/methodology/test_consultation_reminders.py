"""The coordinator's "Send a reminder": only to the countries that have not answered, at most
one per version per CONSULTATION_REMINDER_INTERVAL, recorded with the beat's reminders, and
sent once when two coordinators click at once (on PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from countries.models import Country, Membership
from tests.support.html import find, text
from visits.methodology import workflow as services
from visits.methodology.models import ConsultationReminder, Endorsement, MethodologyVersion
from visits.methodology.tasks import send_consultation_reminders

User = get_user_model()
Answer = Endorsement.Answer

# In the demo, Brazil and Costa Rica have not answered version 2.
LATE = ["staff-br@example.org", "staff-cr@example.org"]


@pytest.fixture(autouse=True)
def eager_celery(settings):
    """The e-mail tasks run in the caller, where the test sees their e-mails."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def version(number=2):
    return MethodologyVersion.objects.get(number=number)


def remind_url(number=2):
    return reverse("methodology:send_reminder", args=[number])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def remind(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(remind_url(), follow=True)


def test_a_reminder_goes_only_to_the_countries_that_have_not_answered(
    client, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    page = client.get(reverse("methodology:version_detail", args=[2]))
    assert find(page, "form", action=remind_url())

    response = remind(client, django_capture_on_commit_callbacks)

    assert messages_of(response) == [
        "A reminder was sent to the focal points of: Brazil, Costa Rica."
    ]
    assert sorted(m.to[0] for m in mail.outbox) == LATE
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["staff-br@example.org"].startswith("Lembrete:")
    assert subjects["staff-cr@example.org"].startswith("Recordatorio:")
    (reminder,) = ConsultationReminder.objects.all()
    assert (reminder.version, reminder.consultation_round, reminder.sent_by) == (
        version(),
        1,
        coordinator,
    )
    assert sorted(c.code.code for c in reminder.countries.all()) == ["BR", "CR"]
    assert timezone.now() - reminder.sent_at < timedelta(minutes=1)


def test_the_page_shows_the_reminders_sent(
    client, coordinator, projectteam, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    remind(client, django_capture_on_commit_callbacks)
    reminder = ConsultationReminder.objects.get()

    client.force_login(projectteam)
    page = text(client.get(reverse("methodology:version_detail", args=[2])))
    when = date_format(timezone.localtime(reminder.sent_at), "SHORT_DATETIME_FORMAT")
    who = coordinator.get_full_name() or coordinator.username
    assert f"Reminders sent Date Sent by Countries reminded {when} {who} Brazil, Costa Rica" in page
    # The project team reads, but sends no reminder.
    reader_page = client.get(reverse("methodology:version_detail", args=[2]))
    assert not find(reader_page, "form", action=remind_url())


def test_a_second_reminder_within_the_interval_is_refused(
    client, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.CONSULTATION_REMINDER_INTERVAL = timedelta(hours=24)
    client.force_login(coordinator)
    remind(client, django_capture_on_commit_callbacks)
    first = ConsultationReminder.objects.get()
    mail.outbox.clear()

    response = remind(client, django_capture_on_commit_callbacks)

    next_at = timezone.localtime(first.sent_at + timedelta(hours=24))
    assert messages_of(response) == [
        "The focal points were reminded less than 24 hours ago. The next reminder can be "
        f"sent from {date_format(next_at, 'DATETIME_FORMAT')}."
    ]
    assert mail.outbox == []
    assert ConsultationReminder.objects.count() == 1
    # The page says when, instead of the button.
    page = client.get(reverse("methodology:version_detail", args=[2]))
    assert not find(page, "form", action=remind_url())
    assert "the next one can be sent from" in text(page)

    # Once the interval has passed, the coordinator can remind again.
    ConsultationReminder.objects.update(sent_at=timezone.now() - timedelta(hours=25))
    response = remind(client, django_capture_on_commit_callbacks)
    assert messages_of(response)[0].startswith("A reminder was sent")
    assert sorted(m.to[0] for m in mail.outbox) == LATE
    assert ConsultationReminder.objects.count() == 2


def test_the_interval_comes_from_the_settings(coordinator, settings):
    settings.CONSULTATION_REMINDER_INTERVAL = timedelta(hours=2)
    services.send_reminder(version(), coordinator)
    ConsultationReminder.objects.update(sent_at=timezone.now() - timedelta(hours=3))
    services.send_reminder(version(), coordinator)
    with pytest.raises(services.MethodologyError, match="less than 2 hours ago"):
        services.send_reminder(version(), coordinator)
    assert ConsultationReminder.objects.count() == 2


def test_the_refusal_is_in_the_coordinators_language(client, coordinator, settings):
    settings.CONSULTATION_REMINDER_INTERVAL = timedelta(hours=24)
    services.send_reminder(version(), coordinator)
    client.force_login(coordinator)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.post(remind_url(), follow=True)
    assert response.wsgi_request.LANGUAGE_CODE == "es"
    (message,) = messages_of(response)
    # The date is written the Spanish way ("4 de diciembre de 2026 a las 18:40"); the
    # sentence is translated with the others, later.
    reminder = ConsultationReminder.objects.get()
    with translation.override("es"):
        when = date_format(
            timezone.localtime(reminder.sent_at + timedelta(hours=24)), "DATETIME_FORMAT"
        )
    assert " de " in when and when in message
    assert ConsultationReminder.objects.count() == 1


def test_nobody_to_remind_once_every_country_answered(
    client, coordinator, django_capture_on_commit_callbacks
):
    for code in ("BR", "CR"):
        services.answer_consultation(
            version(),
            Country.objects.get(code=code),
            User.objects.get(username=f"staff-{code.lower()}"),
            Answer.AGREE,
        )
    client.force_login(coordinator)
    page = client.get(reverse("methodology:version_detail", args=[2]))
    assert not find(page, "form", action=remind_url())

    response = remind(client, django_capture_on_commit_callbacks)
    assert messages_of(response) == [
        "Every partner country has answered: there is nobody to remind."
    ]
    assert mail.outbox == [] and not ConsultationReminder.objects.exists()


def test_no_reminder_outside_a_consultation(
    client, coordinator, django_capture_on_commit_callbacks
):
    services.return_to_draft(version(), coordinator, "Rework.")
    client.force_login(coordinator)
    response = remind(client, django_capture_on_commit_callbacks)
    assert messages_of(response) == ["Version 2 is not in consultation: there is nobody to remind."]
    assert mail.outbox == [] and not ConsultationReminder.objects.exists()


@pytest.mark.parametrize("username", ["staff-py", "staff-br", "projectteam"])
def test_only_coordinators_remind(client, demo, username):
    client.force_login(User.objects.get(username=username))
    assert client.post(remind_url()).status_code == 403
    assert client.get(remind_url()).status_code == 403
    assert mail.outbox == [] and not ConsultationReminder.objects.exists()


def test_a_focal_point_without_an_address_is_recorded_but_not_written_to(
    coordinator, django_capture_on_commit_callbacks
):
    User.objects.filter(username="staff-cr").update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.send_reminder(version(), coordinator)
    assert [m.to[0] for m in mail.outbox] == ["staff-br@example.org"]
    assert sorted(c.code.code for c in reminder.countries.all()) == ["BR", "CR"]


# --- the beat's reminder ---------------------------------------------------------------------


def test_the_automatic_reminder_is_recorded_and_counts(client, coordinator):
    MethodologyVersion.objects.filter(number=2).update(
        deadline=timezone.localdate() + timedelta(days=2)
    )
    assert send_consultation_reminders() == 2

    (reminder,) = ConsultationReminder.objects.all()
    assert reminder.sent_by is None and reminder.is_automatic
    assert sorted(c.code.code for c in reminder.countries.all()) == ["BR", "CR"]
    client.force_login(coordinator)
    page = client.get(reverse("methodology:version_detail", args=[2]))
    assert "Automatic, before the deadline" in text(page)
    # The focal points were just reminded: no manual reminder within the interval.
    assert not find(page, "form", action=remind_url())
    with pytest.raises(services.MethodologyError):
        services.send_reminder(version(), coordinator)


# --- two coordinators at once, on PostgreSQL ------------------------------------------------


def race(*calls):
    """Run the calls at the same moment in threads; [(result, error)] in call order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = (call(), None)
        except Exception as error:  # noqa: BLE001 - the test looks at every outcome
            outcomes[index] = (None, error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hangs"
    return outcomes


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="concurrent transactions need PostgreSQL: set DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_coordinators_at_once_send_one_reminder(demo, coordinator, attempt):
    second = User.objects.create_user("coordinator-2", email="c2@example.org")
    Membership.objects.create(
        user=second,
        actor=Membership.objects.get(user=coordinator).actor,
        role=Membership.Role.COORDINATOR,
    )
    v2 = version()

    outcomes = race(
        lambda: services.send_reminder(v2, coordinator),
        lambda: services.send_reminder(v2, second),
    )

    sent = [result for result, error in outcomes if error is None]
    refused = [error for result, error in outcomes if error is not None]
    assert len(sent) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], services.MethodologyError)
    assert "The next reminder can be sent from" in str(refused[0])
    assert ConsultationReminder.objects.count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == LATE
