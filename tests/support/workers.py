"""
Real Celery workers for integration tests: separate processes on the test
database, on Redis or on kombu's filesystem broker, that can be killed.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from peervisits.celery import app

ROOT = Path(__file__).resolve().parents[2]


def url_of_the_test_database():
    """The URL of the database the tests run on, for processes outside pytest."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def redis_of_this_xdist_worker(url):
    """The Redis database of this xdist worker's Celery tests: the given one for the first
    worker (or without xdist), the next ones for the others, so that a worker process started
    by one xdist worker never takes another's messages."""
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    parsed = urlsplit(url)
    database = int(parsed.path.strip("/") or 0) + index
    return urlunsplit(parsed._replace(path=f"/{database % 16}"))


def filesystem_broker_options(var_dir):
    folder = Path(var_dir) / "celery"
    for name in ("queue", "control", "results"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
    }


@contextmanager
def broker(url, transport_options=None):
    """Point this process's Celery app (the publisher) at another broker for a while."""
    saved = (app.conf.broker_url, app.conf.broker_transport_options)

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options or {}
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        reset_pools()


class Worker:
    """A `celery worker` process in its own process group (so SIGKILL takes its children)."""

    def __init__(self, env, log_path, concurrency=1):
        self.env = env
        self.log_path = Path(log_path)
        self.concurrency = concurrency
        self.process = None

    def start(self):
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "peervisits",
                "worker",
                f"--concurrency={self.concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                "--hostname",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.output():
                return self
            if self.process.poll() is not None:
                raise RuntimeError("the worker stopped:\n" + self.output())
            time.sleep(0.2)
        raise TimeoutError("the worker did not start:\n" + self.output())

    def output(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self):
        """SIGKILL the worker and its pool processes, as an OOM killer or a lost machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            # The test is over: no need for a warm shutdown, which takes the worker and its
            # pool seconds (the database closes a killed process's connections at once).
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        if getattr(self, "log", None):
            self.log.close()


def wait_for(predicate, timeout=60, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {message}")
