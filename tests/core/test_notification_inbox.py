"""The inbox (/notifications/), opening an item (/notifications/<id>/), marking all read
(/notifications/read/) and the unread count of the navigation bar."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Notification
from countries.roles import roles_of
from tests.core.notification_kinds import KIND, paraguay_visit
from tests.support.html import find, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(demo):
    return paraguay_visit()


def item(user, target, name, **fields):
    return Notification.objects.create(
        recipient=user, kind=KIND, target=target, context={"name": name}, **fields
    )


def test_the_inbox_lists_the_users_own_items_newest_first(client, visit, staff_uy, coordinator):
    older = item(staff_uy, visit, "Ana", read_at=timezone.now())
    newer = item(staff_uy, visit, "Bruno")
    item(coordinator, visit, "Carla")
    client.force_login(staff_uy)

    response = client.get("/notifications/")

    assert response.status_code == 200
    links = [a["href"] for a in find(response, "a") if a.get("href", "").startswith("/notif")]
    assert f"/notifications/{newer.pk}/" in links
    page = text(response)
    assert page.index("Unread: Person “Bruno” saved.") < page.index("Person “Ana” saved.")
    assert "Unread: Person “Ana”" not in page
    assert "Carla" not in page
    assert links.index(f"/notifications/{newer.pk}/") < links.index(f"/notifications/{older.pk}/")


def test_an_item_whose_target_the_user_may_no_longer_see_is_not_shown(client, visit, staff_uy):
    item(staff_uy, visit, "Ana")
    visit.delegations.filter(country__code="UY").delete()
    client.force_login(staff_uy)

    response = client.get("/notifications/")

    assert "Ana" not in text(response)
    assert "No notifications." in text(response)


def test_the_inbox_is_paginated(client, visit, staff_uy):
    Notification.objects.bulk_create(
        Notification(recipient=staff_uy, kind=KIND, target=visit, context={"name": f"N{n}"})
        for n in range(30)
    )
    client.force_login(staff_uy)

    first = client.get("/notifications/")
    second = client.get("/notifications/?page=2")

    assert len(first.context["notifications"]) == 25
    assert len(second.context["notifications"]) == 5


def test_the_inbox_costs_the_same_queries_for_few_or_many_items(client, visit, staff_uy):
    def inbox_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/notifications/").status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    def add(count):
        Notification.objects.bulk_create(
            Notification(recipient=staff_uy, kind=KIND, target=visit, context={"name": "N"})
            for _n in range(count)
        )

    client.force_login(staff_uy)
    add(2)
    client.get("/notifications/")
    few = inbox_queries()
    add(28)
    many = inbox_queries()

    assert len(many) == len(few)
    # Of the notifications: the page's count and rows, and the navigation bar's count.
    assert len([sql for sql in many if '"core_notification"' in sql]) == 3


def test_opening_an_item_marks_it_read_and_leads_to_its_target(client, visit, staff_uy):
    notification = item(staff_uy, visit, "Ana")
    client.force_login(staff_uy)

    response = client.get(f"/notifications/{notification.pk}/")

    assert response.status_code == 302
    assert response.url == visit.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_an_item_again_keeps_when_it_was_first_read(client, visit, staff_uy):
    read_at = timezone.now() - timezone.timedelta(days=1)
    notification = item(staff_uy, visit, "Ana", read_at=read_at)
    client.force_login(staff_uy)

    client.get(f"/notifications/{notification.pk}/")

    notification.refresh_from_db()
    assert notification.read_at == read_at


def test_another_users_item_an_invisible_target_or_no_item_is_404(
    client, visit, staff_uy, coordinator
):
    theirs = item(coordinator, visit, "Ana")
    invisible = item(staff_uy, paraguay_visit("Another visit"), "Bruno")
    invisible.target.delegations.filter(country__code="UY").delete()
    client.force_login(staff_uy)

    for pk in (theirs.pk, invisible.pk, invisible.pk + 1000):
        assert client.get(f"/notifications/{pk}/").status_code == 404
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_mark_all_read_marks_the_users_own_items(client, visit, staff_uy, coordinator):
    item(staff_uy, visit, "Ana")
    item(staff_uy, visit, "Bruno")
    theirs = item(coordinator, visit, "Carla")
    client.force_login(staff_uy)

    response = client.post("/notifications/read/")

    assert response.status_code == 302
    assert response.url == "/notifications/"
    assert not Notification.objects.filter(recipient=staff_uy, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get("/notifications/read/").status_code == 405


def test_the_navigation_bar_counts_the_unread_visible_items(client, visit, staff_uy):
    item(staff_uy, visit, "Ana")
    item(staff_uy, visit, "Bruno")
    item(staff_uy, visit, "Carla", read_at=timezone.now())
    hidden = paraguay_visit("Another visit")
    item(staff_uy, hidden, "Diego")
    hidden.delegations.filter(country__code="UY").delete()
    client.force_login(staff_uy)

    response = client.get("/")

    assert "Notifications 2 unread" in text(response)
    Notification.objects.update(read_at=timezone.now())
    page = text(client.get("/"))
    assert "Notifications" in page
    assert "unread" not in page


def test_signed_out_users_are_sent_to_sign_in(client):
    for url in ("/notifications/", "/notifications/1/", "/notifications/settings/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_the_unread_count_is_one_query(rf, visit, staff_uy, django_assert_num_queries):
    item(staff_uy, visit, "Ana")
    item(staff_uy, visit, "Bruno", read_at=timezone.now())
    request = rf.get("/")
    request.user = staff_uy
    template = Template("{% load core %}{% unread_notifications as unread %}[{{ unread }}]")
    roles_of(staff_uy)  # the request's roles, read once by the site's context processor

    with django_assert_num_queries(1):
        assert template.render(Context({"request": request})) == "[1]"
