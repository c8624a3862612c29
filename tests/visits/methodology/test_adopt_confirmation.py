"""Adopting a version cannot be undone: the button leads to a page that says what will
happen, and only a POST with its box ticked adopts."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from countries.models import Country
from tests.support.html import assert_no_inline_code, find, text
from visits.methodology import workflow as services
from visits.methodology.models import Endorsement, MethodologyVersion

User = get_user_model()
Status = MethodologyVersion.Status


def version(number):
    return MethodologyVersion.objects.get(number=number)


def statuses():
    return dict(MethodologyVersion.objects.values_list("number", "status"))


ADOPT = reverse("methodology:adopt", args=[2])
VERSION_PAGE = reverse("methodology:version_detail", args=[2])


@pytest.fixture
def agreed(demo):
    """Every partner country agreed to version 2: it can be adopted."""
    for country in Country.objects.partners():
        Endorsement.objects.update_or_create(
            version=version(2),
            country=country,
            consultation_round=1,
            defaults={
                "answer": Endorsement.Answer.AGREE,
                "comment": "",
                "given_by": User.objects.get(username=f"staff-{country.code.code.lower()}"),
            },
        )


def test_the_button_leads_to_a_page_that_says_what_will_happen(client, agreed, coordinator):
    client.force_login(coordinator)
    page = client.get(VERSION_PAGE)
    # A link to the second step; nothing on the version page posts the adoption.
    assert find(page, "a", href=ADOPT)
    assert not find(page, "form", action=ADOPT)

    confirmation = client.get(ADOPT)
    assert confirmation.status_code == 200
    content = text(confirmation)
    assert "Adopt version 2?" in content
    assert "The criteria of version 2 become the ones every new visit plan follows." in content
    assert "Version 1, adopted until now, is superseded" in content
    assert "This cannot be undone." in content
    assert find(confirmation, "input", type="checkbox", name="confirm")
    assert_no_inline_code(confirmation)
    assert statuses() == {1: Status.ADOPTED, 2: Status.CONSULTATION}


@pytest.mark.parametrize("data", [{}, {"confirm": ""}, {"confirm": "false"}])
def test_a_post_without_the_confirmation_adopts_nothing(client, agreed, coordinator, data):
    client.force_login(coordinator)
    before = list(MethodologyVersion.objects.order_by("pk").values())

    response = client.post(ADOPT, data)

    assert response.status_code == 200
    assert "Tick the box to confirm the adoption." in text(response)
    assert list(MethodologyVersion.objects.order_by("pk").values()) == before


def test_the_confirmed_post_adopts(client, agreed, coordinator):
    client.force_login(coordinator)
    response = client.post(ADOPT, {"confirm": "on"})
    assert response.status_code == 302 and response.url == VERSION_PAGE
    assert statuses() == {1: Status.SUPERSEDED, 2: Status.ADOPTED}
    assert version(2).adopted_by == coordinator


def test_no_confirmation_offered_while_something_blocks_the_adoption(client, demo, coordinator):
    client.force_login(coordinator)
    assert not find(client.get(VERSION_PAGE), "a", href=ADOPT)

    confirmation = client.get(ADOPT)
    assert confirmation.status_code == 200
    content = text(confirmation)
    assert "The version cannot be adopted yet." in content
    assert "No answer yet from: Brazil, Costa Rica." in content
    assert not find(confirmation, "input", name="confirm")

    # Confirmed all the same: the rule still refuses, with its reasons.
    response = client.post(ADOPT, {"confirm": "on"}, follow=True)
    assert "No answer yet from: Brazil, Costa Rica." in text(response)
    assert statuses() == {1: Status.ADOPTED, 2: Status.CONSULTATION}


def test_an_adopted_version_offers_no_second_adoption(client, agreed, coordinator):
    services.adopt(version(2), coordinator)
    client.force_login(coordinator)
    confirmation = client.get(ADOPT)
    assert "Only a version in consultation can be adopted; version 2 is adopted." in text(
        confirmation
    )
    assert not find(confirmation, "input", name="confirm")


@pytest.mark.parametrize("username", ["staff-py", "projectteam"])
def test_only_coordinators_see_the_confirmation(client, agreed, username):
    client.force_login(User.objects.get(username=username))
    assert client.get(ADOPT).status_code == 403
    assert client.post(ADOPT, {"confirm": "on"}).status_code == 403
    assert statuses() == {1: Status.ADOPTED, 2: Status.CONSULTATION}
