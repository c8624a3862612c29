"""`make run`'s stack (honcho and Procfile.dev, on the embedded defaults: SQLite, the filesystem
broker) under load and under faults: concurrent writes all succeed, and it keeps serving when
its Celery worker is killed, starts the worker again, and renders the next report."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HONCHO = Path(sys.executable).with_name("honcho")

pytestmark = pytest.mark.celery_worker


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise TimeoutError(what)


def workers_of(var_dir):
    """The pids of the Celery worker processes started with this VAR_DIR (their main one
    first), not the shell loops that start them again."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if arguments[1:5] == [b".venv/bin/celery", b"-A", b"peervisits", b"worker"] and (
            f"VAR_DIR={var_dir}".encode() in environment
        ):
            found.append(int(entry.name))
    return sorted(found)


class Visitor:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path, **headers):
        request = urllib.request.Request(self.base + path, headers=headers)
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(), response.url

    def form_token(self, path):
        page = self.get(path)[1]
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    @property
    def first_visit_id(self):
        return re.search(r'href="/visits/(\d+)/"', self.get("/visits/")[1]).group(1)

    def post_form(self, path, token, data):
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, body, headers={"Referer": self.base})
        with self.opener.open(request, timeout=60) as response:
            return response.status, response.url

    def post(self, path, data):
        return self.post_form(path, self.form_token(path), data)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The stack of `make run`, started once for this module's tests (which use it in turn)."""
    work = tmp_path_factory.mktemp("embedded")
    var_dir = work / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    port = free_port()
    env.update(VAR_DIR=str(var_dir), DEBUG="True", PORT=str(port), PYTHONUNBUFFERED="1")
    for command in (["migrate", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    log_path = work / "honcho.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [HONCHO, "-f", "Procfile.dev", "start", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    running = Stack(process, f"http://127.0.0.1:{port}", var_dir, log_path)
    try:
        wait_for(running.serving, 60, "the web server")
        wait_for(lambda: " ready." in running.output(), 60, "the worker")
        yield running
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        log.close()


class Stack:
    def __init__(self, process, base, var_dir, log_path):
        self.process, self.base, self.var_dir, self.log_path = process, base, var_dir, log_path

    def output(self):
        return self.log_path.read_text()

    def serving(self):
        try:
            return Visitor(self.base).get("/healthz/")[0] == 200
        except OSError:
            return False

    def signed_in(self, username):
        visitor = Visitor(self.base)
        visitor.post("/accounts/login/", {"username": username, "password": "peervisits-demo"})
        return visitor


def finished(visitor, job_url, timeout=120):
    def done():
        path = urllib.parse.urlsplit(job_url).path
        state = json.loads(visitor.get(path, Accept="application/json")[1])
        assert state["status"] != "failed", state
        return state["status"] == "done"

    wait_for(done, timeout, f"the report {job_url}")


def test_twelve_report_requests_at_the_same_moment_are_all_accepted(stack):
    """On SQLite, concurrent writes wait their turn (WAL, immediate transactions, a busy
    timeout) while the worker renders and writes its progress: none fails."""
    users = ["coordinator", "projectteam"] + [
        f"staff-{c}" for c in ("br", "cl", "co", "cr", "py", "uy")
    ]
    visitors = [stack.signed_in(users[n % len(users)]) for n in range(12)]
    forms = [visitor.form_token("/reports/") for visitor in visitors]
    start = threading.Barrier(12)
    outcomes = [None] * 12

    def ask(index):
        visitor, user = visitors[index], users[index % len(users)]
        programme = user in ("coordinator", "projectteam")
        data = {
            "kind": "overview" if programme else "visit",
            "target": "" if programme else visitor.first_visit_id,
            "language": ["en", "es", "pt"][index % 3],
        }
        start.wait()
        outcomes[index] = visitor.post_form("/reports/", forms[index], data)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(
        outcome and outcome[0] == 200 and "/reports/" in outcome[1] for outcome in outcomes
    ), outcomes
    assert "Internal Server Error" not in stack.output()
    for visitor, (_status, job_url) in zip(visitors, outcomes, strict=True):
        finished(visitor, job_url)


def test_the_stack_keeps_serving_when_its_worker_dies(stack):
    (main, *_pool) = wait_for(lambda: workers_of(stack.var_dir), 10, "the worker's processes")
    os.kill(main, signal.SIGKILL)  # as an out-of-memory kill would
    wait_for(lambda: "The Celery worker stopped" in stack.output(), 30, "the restart")
    assert stack.process.poll() is None, stack.output()
    assert stack.serving()
    wait_for(lambda: stack.output().count(" ready.") >= 2, 60, "the worker again")

    visitor = stack.signed_in("projectteam")
    status, job_url = visitor.post(
        "/reports/", {"kind": "overview", "target": "", "language": "es"}
    )
    assert status == 200 and "/reports/" in job_url
    finished(visitor, job_url)
