"""The whole permission matrix: every URL pattern of the project × eight kinds of user.

The patterns come from the root resolver; each needs an entry in MATRIX (how to build its
address from the world below, and the status each user gets), or the test of coverage fails
naming it. The Django admin is one group: a few representative pages in MATRIX, and every
other admin pattern checked to live under the admin site, which lets in only the project team
(and superusers).

The world, built once for the module on the demo data and rolled back at its end (each test
runs in its own savepoint inside it, so nothing a test does reaches the next one):

- a conducted visit hosted by Paraguay with a Uruguayan delegation; Brazil takes no part;
- lessons by a Paraguayan colleague: published, draft and in review;
- a draft methodology version 3 next to the demo's version 2 in consultation;
- report jobs of the visit requested by the Paraguayan colleague: one done, one failed.

The eight users: anonymous; "host", plain staff of Paraguay (no focal point; the lessons'
author and the reports' requester); "outsider", plain staff of Brazil; "focal", Uruguay's
focal point (staff of the visiting country); the coordinator; the project team; "newcomer",
signed in but a member of no actor; and "host focal", Paraguay's focal point, who gets what
the host's colleague gets but where HOST_FOCAL says otherwise.
"""

import functools
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import override_settings
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from tests.support.demo_world import FAST_PASSWORD_HASHERS, PEOPLE, per_table
from tests.support.permission_matrix import (
    ADMIN_GROUP,
    CHANGES,
    HOST_FOCAL,
    MATRIX,
    USERNAMES,
    USERS,
    A,
    L,
    build_world,
    expected_status,
)

User = get_user_model()

# Every test runs in its own transaction (a savepoint inside the module's world), which
# holds the demo's people and methodology.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _demo_world, tmp_path_factory):
    """The world, in a transaction around the whole module (each test nests a savepoint)."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_PASSWORD_HASHERS),
    ):
        _demo_world.before_database(PEOPLE)
        with transaction.atomic():
            _demo_world.cut_to(PEOPLE)
            yield build_world()
            transaction.set_rollback(True)


# --- coverage ------------------------------------------------------------------------------


def url_patterns(patterns=None, namespace="", prefix=""):
    """(full name, route) of every pattern reachable from the root resolver."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, inner, route)
        else:
            yield (f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<{route}>", route)


def pattern_of(entry):
    return entry.split()[0]


def test_every_pattern_has_an_entry():
    missing = sorted(
        name
        for name, _route in url_patterns()
        if not name.startswith(f"{ADMIN_GROUP}:") and name not in map(pattern_of, MATRIX)
    )
    assert not missing, f"new view without an entry in MATRIX: {', '.join(missing)}"
    names = {name for name, _route in url_patterns()}
    stale = sorted({pattern_of(entry) for entry in MATRIX} - names)
    assert not stale, f"entries of MATRIX for no pattern: {', '.join(stale)}"


def test_every_entry_has_a_status_for_every_user():
    for entry, (_address, get, post, _data) in MATRIX.items():
        assert len(get) == len(USERS), entry
        assert post is None or len(post) == len(USERS), entry
    for entry, method in HOST_FOCAL:
        assert MATRIX[entry][1 if method == "GET" else 2] is not None, (entry, method)


def test_the_admin_is_one_site(client, world):
    """Every admin pattern is under /admin/; its pages without arguments let in only the team."""
    admin_patterns = [(n, r) for n, r in url_patterns() if n.startswith(f"{ADMIN_GROUP}:")]
    assert len(admin_patterns) > 100
    assert all(route.startswith("admin/") for _name, route in admin_patterns)
    pages = {}
    for name, _route in admin_patterns:
        if name.split(":")[1] in ("login", "logout", "jsi18n") or "password_change" in name:
            continue  # open to whoever may sign in
        try:
            pages[name] = reverse(name)
        except NoReverseMatch:
            continue  # a page of one object: MATRIX has representative ones
    assert len(pages) > 50
    for username in ("coordinator", "staff-uy"):
        client.force_login(User.objects.get(username=username))
        refused = {url: client.get(url) for url in pages.values()}
        assert {url: r.status_code for url, r in refused.items()} == dict.fromkeys(refused, 302)
        assert all(r.url.startswith("/admin/login/") for r in refused.values())
    team = User.objects.get(username="projectteam")
    client.force_login(team)
    # The team reads every list; it adds only what its rules let it manage.
    expected = {}
    for name, url in pages.items():
        app_model, _sep, view = name.split(":")[1].rpartition("_")
        if name == "admin:autocomplete":
            expected[url] = 403  # without the field to complete
        elif view == "add":
            app, model = app_model.split("_", 1)
            expected[url] = 200 if team.has_perm(f"{app}.add_{model}") else 403
        else:
            expected[url] = 200
    assert {url: client.get(url).status_code for url in pages.values()} == expected
    assert expected["/admin/countries/actor/add/"] == 200
    assert expected["/admin/visits/visit/add/"] == 403


# --- the matrix ------------------------------------------------------------------------------


SNAPSHOT_APPS = ("countries", "visits", "lessons", "reports", "auth")


@functools.cache
def snapshot_tables():
    """(table, key) of the project's models, their many-to-many tables, users and history."""
    return [
        (model._meta.db_table, model._meta.pk.column)
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.label != "auth.Permission"
    ]


def snapshot():
    """Every row of those tables: on PostgreSQL a digest of each table, computed by the server
    in one query (fetching the rows took most of this module's time); elsewhere the rows."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            digest = "md5(coalesce(string_agg(row::text, ',' ORDER BY {key}), ''))"
            return per_table(digest, snapshot_tables())
        rows = {}
        for table, key in snapshot_tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(key)}")
            rows[table] = cursor.fetchall()
        return rows


def status_of(response, url):
    if response.status_code == 302:
        target = urlsplit(response.url)
        if target.path == "/accounts/login/" and parse_qs(target.query) == {"next": [url]}:
            return L
        if target.path == "/admin/login/":
            return A
    return response.status_code


@contextmanager
def as_user(client, user):
    if USERNAMES[user]:
        client.force_login(User.objects.get(username=USERNAMES[user]))
    yield client


@pytest.mark.parametrize("user", list(USERNAMES))
@pytest.mark.parametrize("entry", list(MATRIX))
def test_get(client, world, entry, user):
    address, _get, _post, _data = MATRIX[entry]
    url = address(world)
    expected = expected_status(entry, user, "GET")
    with as_user(client, user):
        response = client.get(url)
        assert status_of(response, url) == expected, f"GET {url} as {user}"


POSTS = [entry for entry, (_a, _g, post, _d) in MATRIX.items() if post is not None]


@pytest.mark.parametrize("user", list(USERNAMES))
@pytest.mark.parametrize("entry", POSTS)
def test_post(client, world, entry, user):
    address, _get, _post, data = MATRIX[entry]
    url = address(world)
    expected = expected_status(entry, user, "POST")
    with as_user(client, user):
        before = snapshot()
        response = client.post(url, data(world, USERNAMES[user]) if callable(data) else data)
        assert status_of(response, url) == expected, f"POST {url} as {user}"
        # Only an allowed POST of CHANGES changes anything: not a refused one, a form or
        # preview shown again, or a redirect with the message of a rule that refused it.
        changes = expected == 302 and entry in CHANGES
        assert (snapshot() != before) == changes, f"POST {url} as {user}: changes {changes}"


READ_ONLY = [
    entry
    for entry, (_a, get, post, _d) in MATRIX.items()
    if post is None and get[USERS.index("anonymous")] == L
]


@pytest.mark.parametrize("entry", READ_ONLY)
def test_an_anonymous_post_to_a_page_that_reads_goes_to_login(client, world, entry):
    address, _get, _post, _data = MATRIX[entry]
    url = address(world)
    before = snapshot()
    assert status_of(client.post(url, {}), url) == L, f"POST {url}"
    assert snapshot() == before
