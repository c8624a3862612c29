"""Every request shows the data as it is now, whichever process serves it.

The first stage kept pages rendered per session in a cache; with the default settings (no
Redis, a cache per process) two web processes served each other's stale pages. There is no
page cache any more: two gunicorn processes on the embedded defaults, a write through one of
them or through ``manage.py shell``, and the very next request to the other shows it."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.cookiejar import Cookie, CookieJar
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from visits.models import Delegation, Visit

ROOT = Path(__file__).resolve().parents[2]
VISIT_TITLE = "Care in rural territories"  # planned; its host receives PY, BR, CO

pytestmark = pytest.mark.django_db(transaction=True)


def database_url():
    """The test database, for the processes this test starts."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER'] or 'postgres'}{password}@{host}:{port}/{db['NAME']}"


def environment(tmp_path):
    """The embedded defaults: no Redis (so any cache would be one per process)."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(DATABASE_URL=database_url(), VAR_DIR=str(tmp_path / "var"), DEBUG="True")
    return env


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def web_process(env, log):
    """A gunicorn process of its own, on a port of its own; stopped at the end."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "peervisits.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            "-",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz/", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {log.name}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


class Browser:
    """A signed-in visitor's cookies, sent to whichever server is asked."""

    def __init__(self, username):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        self.jar = CookieJar()
        self.jar.set_cookie(cookie("sessionid", client.cookies["sessionid"].value))
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url):
        with self.opener.open(url, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, url, data):
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(url, body.encode(), headers={"Referer": url})
        with self.opener.open(request, timeout=30) as response:
            return response.status


def cookie(name, value):
    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False,
                  None, False, None, None, {})  # fmt: skip


def status_of(browser, url):
    try:
        return browser.get(url)[0]
    except urllib.error.HTTPError as error:
        return error.code


def test_a_write_shows_at_once_on_every_web_process(demo_visits, tmp_path):
    visit = Visit.objects.get(title=VISIT_TITLE)
    env = environment(tmp_path)
    with (
        open(tmp_path / "a.log", "w") as log_a,
        open(tmp_path / "b.log", "w") as log_b,
        web_process(env, log_a) as a,
        web_process(env, log_b) as b,
    ):
        coordinator = Browser("coordinator")
        page = f"/visits/{visit.pk}/"
        for server in (a, b):  # both processes have shown the page before the write
            assert VISIT_TITLE in coordinator.get(server + page)[1]
            assert VISIT_TITLE in coordinator.get(server + "/visits/")[1]

        # A rename through process A; the very next request to process B shows it.
        edit = coordinator.get(a + f"/visits/{visit.pk}/edit/")[1]
        revision = re.search(r'name="revision" value="(\d+)"', edit).group(1)
        renamed = "Care that reaches rural territories"
        assert coordinator.post(a + f"/visits/{visit.pk}/edit/", {
            "title": renamed,
            "objectives": visit.objectives,
            "thematic_focus": visit.thematic_focus,
            "city": visit.city,
            "start_date": visit.start_date.isoformat(),
            "end_date": visit.end_date.isoformat(),
            "host_actors": [actor.pk for actor in visit.host_actors.all()],
            "revision": revision,
        }) == 200  # fmt: skip
        for server in (b, a):
            shown = coordinator.get(server + page)[1]
            assert renamed in shown and VISIT_TITLE not in shown, server
            assert renamed in coordinator.get(server + "/visits/")[1], server

        # A write outside any web process: Colombia's delegation removed in the shell. Its
        # staff no longer see the visit, in the list or on its page, on either process.
        colombia = Browser("staff-co")
        for server in (a, b):
            assert renamed in colombia.get(server + "/visits/")[1]
            assert status_of(colombia, server + page) == 200
        assert Delegation.objects.filter(visit=visit, country__code="CO").exists()
        shell = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c",
             "from visits.models import Delegation, Finding;"
             f"gone = Delegation.objects.filter(visit_id={visit.pk}, country__code='CO');"
             "Finding.objects.filter(delegation__in=gone).delete(); gone.delete()"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert shell.returncode == 0, shell.stderr
        for server in (b, a):
            assert renamed not in colombia.get(server + "/visits/")[1], server
            assert status_of(colombia, server + page) == 404, server
