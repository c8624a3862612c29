"""The notification settings (/notifications/settings/): a channel per registered kind and
the language of the e-mails."""

import pytest

from core import notifications
from core.forms import NotificationPreferencesForm
from core.models import Channel, NotificationPreference, NotificationSettings
from tests.core.notification_kinds import KIND
from tests.support.html import find, form_data, text

pytestmark = pytest.mark.django_db

FIELD = NotificationPreferencesForm.field_name(KIND)


def test_the_page_offers_every_kind_and_the_language(client, staff_uy):
    client.force_login(staff_uy)

    response = client.get("/notifications/settings/")

    assert response.status_code == 200
    fields, choices = form_data(response, FIELD)
    assert fields[FIELD] == [Channel.IMMEDIATE]  # the default
    assert choices[FIELD] == list(Channel.values)
    assert choices["language"] == ["", "en", "es", "pt"]
    assert "Person saved" in text(response)
    assert find(response, "label", **{"for": f"id_{FIELD}"})


def test_saving_stores_the_channel_and_the_language(client, staff_uy):
    client.force_login(staff_uy)
    shown, _choices = form_data(client.get("/notifications/settings/"), FIELD)
    data = {name: values[0] for name, values in shown.items()}

    response = client.post(
        "/notifications/settings/", {**data, FIELD: Channel.WEEKLY, "language": "pt"}
    )

    assert response.status_code == 302
    assert NotificationPreference.objects.channels(KIND, [staff_uy]) == {
        staff_uy.pk: Channel.WEEKLY
    }
    assert NotificationSettings.objects.get(user=staff_uy).language == "pt"
    assert notifications.language_of(staff_uy) == "pt"
    page = client.get("/notifications/settings/")
    fields, _choices = form_data(page, FIELD)
    assert fields[FIELD] == [Channel.WEEKLY]
    assert fields["language"] == ["pt"]

    # Saved again: the same rows, changed.
    client.post("/notifications/settings/", {**data, FIELD: Channel.IN_APP, "language": ""})
    assert NotificationPreference.objects.get(user=staff_uy, kind=KIND).channel == Channel.IN_APP
    assert notifications.language_of(staff_uy) == "es"  # Uruguay's


def test_an_unknown_channel_is_refused_in_the_users_language(client, staff_uy):
    client.force_login(staff_uy)

    response = client.post(
        "/notifications/settings/",
        {FIELD: "hourly", "language": ""},
        headers={"accept-language": "es"},
    )

    assert response.status_code == 200
    assert "Escoja una opción válida." in text(response)
    assert not NotificationPreference.objects.exists()
