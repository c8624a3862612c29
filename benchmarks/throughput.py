"""
Requests per second under gunicorn, as production serves them: two sync workers on loopback,
persistent database connections (the settings' default), production settings (DEBUG off,
collected static files). A visit page and the signed-in hello world are each asked by four
clients at once for a few seconds, twice, alternating; the visit page's rate is reported as a
share of the hello world's.

The clients are threads of this process with plain http.client connections: they cost little
next to the server, and gunicorn's sync workers close each connection after its response, as
they do for real browsers.
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from benchmarks.results import Result

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 4
SECONDS = 6
ROUNDS = 2
GOAL = 0.25  # at least a quarter of the hello world's rate


def database_url():
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER'] or 'postgres'}{password}@{host}:{port}/{db['NAME']}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_cookie(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"sessionid={client.cookies['sessionid'].value}"


def rate(port, path, cookie, seconds=SECONDS):
    """Responses per second to `path` from CONCURRENCY clients asking one after another."""
    deadline = time.monotonic() + seconds
    counts, errors = [0] * CONCURRENCY, []

    def client(index):
        while time.monotonic() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(response.status)
                counts[index] += 1
            except OSError as error:
                errors.append(error)
            finally:
                conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONCURRENCY)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, f"{path}: {errors[:5]}"
    return sum(counts) / (time.monotonic() - started)


def wait_ready(port, server, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.2)


def run(visit):
    work = Path(tempfile.mkdtemp(prefix="peervisits-throughput-"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        # This process's key: the session it signs the user in with must hold there.
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(work),
        "STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)  # the pages measured need no broker
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "benchmarks.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        cookie = session_cookie("staff-py")
        page = f"/visits/{visit.pk}/"
        wait_ready(port, server)
        rate(port, "/bench/hello/", cookie, seconds=1)  # both workers warm up
        rate(port, page, cookie, seconds=1)
        hello, visit_page = [], []
        for _ in range(ROUNDS):
            hello.append(rate(port, "/bench/hello/", cookie))
            visit_page.append(rate(port, page, cookie))
    finally:
        server.terminate()
        server.wait(timeout=60)
    floor, measured = max(hello), max(visit_page)
    print(f"  gunicorn: hello world {floor:.0f}/s, visit page {measured:.0f}/s")
    return [
        Result(f"gunicorn, 2 workers, {CONCURRENCY} clients: hello world", floor, "requests/s"),
        # The ratio is the hello world's rate over the page's: at most 4 (a quarter or more).
        Result(
            f"gunicorn, 2 workers, {CONCURRENCY} clients: visit page (hello world's rate / its)",
            measured,
            "requests/s",
            floor / measured,
            1 / GOAL,
        ),
    ]
