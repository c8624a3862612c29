"""The page cache (peervisits/pagecache.py): a page asked again by the same session is
served without rendering, and never after a write, to another session, in another
language, past a lost session or over a message waiting to be shown."""

from datetime import date

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from countries.models import Country
from peervisits import pagecache
from visits.models import Delegation, Visit

from .test_visit_pages import new_visit

LIST = reverse("visits:visit_list")
METHODOLOGY = reverse("methodology:adopted")
LESSONS = reverse("lessons:lesson_list")


@pytest.fixture
def visit(demo):
    return new_visit("PY", "Home care in Asunción", date(2025, 3, 10), guests=["UY"])


def warm(client, url):
    """Asks for the page until it is kept: the first answer of a session sets the CSRF
    cookie that the key needs; the page is stored once the cookie is there."""
    client.get(url)
    return client.get(url)


def served_from_cache(response):
    # The test client records the templates of a rendering; a page from the cache has none.
    return response.status_code == 200 and response.context is None


@pytest.mark.parametrize(
    "url", [LIST, METHODOLOGY, LESSONS + "?q=cuidados", "visit"], ids=lambda u: u.strip("/")
)
def test_a_page_asked_again_is_served_without_rendering(
    client, coordinator, visit, url, django_assert_max_num_queries
):
    url = visit.get_absolute_url() if url == "visit" else url
    client.force_login(coordinator)
    rendered = warm(client, url)
    # Session, user, roles, and for a visit its visibility: nothing else.
    with django_assert_max_num_queries(4):
        again = client.get(url)
    assert served_from_cache(again)
    assert again.content == rendered.content
    assert again["Content-Type"] == rendered["Content-Type"]


def test_a_saved_change_shows_at_once(client, coordinator, visit):
    client.force_login(coordinator)
    warm(client, LIST)
    visit.title = "Community care in Encarnación"
    visit.save()
    response = client.get(LIST)
    assert not served_from_cache(response)
    assert "Community care in Encarnación" in response.content.decode()


def test_a_deletion_and_a_many_to_many_change_show_at_once(client, coordinator, visit):
    client.force_login(coordinator)
    warm(client, visit.get_absolute_url())
    Delegation.objects.get(visit=visit, country__code="UY").delete()
    assert not served_from_cache(client.get(visit.get_absolute_url()))
    client.get(visit.get_absolute_url())
    visit.host_actors.clear()
    visit.host_actors.add(*visit.host_country.actors.filter(is_partner=True))
    assert not served_from_cache(client.get(visit.get_absolute_url()))


def test_any_post_retires_the_pages_even_when_no_signal_was_sent(client, coordinator, visit):
    client.force_login(coordinator)
    warm(client, LIST)
    # A queryset update sends no signal: the page kept is still the old one...
    Visit.objects.filter(pk=visit.pk).update(title="Changed without a signal")
    assert served_from_cache(client.get(LIST))
    # ...until a request that may write, as every change made through the site is (this
    # one is refused for its empty form, which the middleware does not know).
    client.post(reverse("visits:visit_update", args=[visit.pk]), {})
    response = client.get(LIST)
    assert not served_from_cache(response)
    assert "Changed without a signal" in response.content.decode()


def test_signing_in_choosing_a_language_and_asking_for_reports_keep_the_pages(
    client, coordinator, projectteam, visit
):
    client.force_login(coordinator)
    warm(client, LIST)
    other = type(client)()
    other.post(reverse("login"), {"username": "projectteam", "password": "peervisits-demo"})
    assert other.get(reverse("home")).context["user"] == projectteam  # signed in
    other.post(reverse("reports:job_list"), {"kind": "visit", "target": visit.pk})
    client.post(reverse("set_language"), {"language": "en", "next": LIST})
    assert served_from_cache(client.get(LIST))


def test_the_neutral_views_exist():
    """A renamed view would quietly retire the pages again."""
    args = {"reports:job_retry": [1]}
    for name in pagecache.NEUTRAL_VIEWS:
        assert reverse(name, args=args.get(name))


def test_a_write_in_a_transaction_retires_the_pages_again_when_it_commits(transactional_db, visit):
    with transaction.atomic():
        visit.title = "Renamed"
        visit.save()
        during = pagecache.generation()
    # A page rendered before the commit showed the old title under `during`.
    assert pagecache.generation() != during


def test_a_transaction_retires_the_pages_once_when_it_commits(transactional_db, visit):
    def bumps_at_commit():
        return [f for _, f, _ in connection.run_on_commit if f is pagecache.bump]

    with transaction.atomic():
        with transaction.atomic():  # a savepoint rolled back takes its callbacks along
            visit.save()
            assert len(bumps_at_commit()) == 1
            transaction.set_rollback(True)
        assert bumps_at_commit() == []
        visit.save()
        Delegation.objects.create(visit=visit, country=Country.objects.get(code="CL"))
        with transaction.atomic():
            visit.save()
        assert len(bumps_at_commit()) == 1


def test_each_session_has_its_own_pages(client, coordinator, staff_br, visit):
    client.force_login(coordinator)
    warm(client, visit.get_absolute_url())
    warm(client, LIST)
    client.force_login(staff_br)  # a new session, of a partner the visit does not involve
    assert client.get(visit.get_absolute_url()).status_code == 404
    response = client.get(LIST)
    assert not served_from_cache(response)
    assert "Home care in Asunción" not in response.content.decode()


def test_a_lost_session_gets_the_login_page_not_the_page_kept(client, coordinator, visit):
    client.force_login(coordinator)
    warm(client, LIST)
    Session.objects.all().delete()  # expired and cleared, or signed out elsewhere
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_each_language_has_its_own_pages(client, coordinator, visit):
    client.force_login(coordinator)
    english = warm(client, METHODOLOGY)
    assert '<html lang="en"' in english.content.decode()
    client.cookies["django_language"] = "es"
    spanish = client.get(METHODOLOGY)
    assert not served_from_cache(spanish)
    assert '<html lang="es"' in spanish.content.decode()


def test_a_waiting_message_is_shown_by_a_rendering(coordinator, visit):
    calls = []

    def render():
        calls.append(1)
        return HttpResponse("page")

    request = RequestFactory().get(LIST)
    request.user = coordinator
    request.session = type("Session", (), {"session_key": "k" * 32})()
    request.META["CSRF_COOKIE"] = "c" * 32
    request._messages = FallbackStorage(request)
    pagecache.cached_response(request, render)
    pagecache.cached_response(request, render)
    assert len(calls) == 1, "the second was served from the cache"
    messages.success(request, "The visit was saved.")
    pagecache.cached_response(request, render)
    assert len(calls) == 2, "a message waits: the page is rendered, to show it"


def test_a_new_release_gets_new_pages(client, coordinator, visit, monkeypatch):
    client.force_login(coordinator)
    warm(client, LIST)
    monkeypatch.setattr(pagecache, "release", lambda: "next-release")
    assert not served_from_cache(client.get(LIST))


def test_the_release_follows_templates_code_and_static_files(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    for name in ("templates/base.html", "visits/views.py", "static/css/site.css"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("version 1")
    releases = {pagecache.release.__wrapped__()}
    for name in ("templates/base.html", "visits/views.py", "static/css/site.css"):
        (tmp_path / name).write_text("version 2")
        releases.add(pagecache.release.__wrapped__())
    assert len(releases) == 4
    (tmp_path / "visits" / "__pycache__").mkdir()
    (tmp_path / "visits" / "__pycache__" / "views.pyc").write_bytes(b"compiled")
    assert pagecache.release.__wrapped__() in releases, "compiled files are not sources"


def test_the_page_cache_can_be_turned_off(client, coordinator, visit, settings):
    settings.PAGE_CACHE_TIMEOUT = 0
    client.force_login(coordinator)
    warm(client, LIST)
    assert not served_from_cache(client.get(LIST))


def test_a_page_from_the_cache_keeps_its_forms_working(client, coordinator, visit):
    """The CSRF token in a page kept is valid for the session's cookie."""
    client = type(client)(enforce_csrf_checks=True)
    client.force_login(coordinator)
    warm(client, LIST)
    page = client.get(LIST)
    assert served_from_cache(page)
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_with_the_cache_down_pages_are_rendered_and_writes_go_through(
    client, coordinator, visit, settings, caplog
):
    nothing_listens = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": nothing_listens,
        }
    }
    client.force_login(coordinator)
    for _ in range(2):
        response = client.get(LIST)
        assert response.status_code == 200 and not served_from_cache(response)
    visit.title = "Saved while the cache is down"  # a signal, and its bump, fail quietly
    visit.save()
    response = client.post(reverse("set_language"), {"language": "es", "next": LIST})
    assert response.status_code == 302
    assert "Saved while the cache is down" in client.get(LIST).content.decode()
    assert "page cache: the cache is down" in caplog.text
