"""A real Celery worker process takes the health task from the real broker."""

import os
import subprocess
import sys

import pytest

from tests.workers import ROOT, Worker

# Sends the health task and waits for the worker's answer, as a separate process
# so that it configures Celery from the environment like the web app does.
SEND_PING = (
    "import django; django.setup()\n"
    "from peervisits.tasks import ping\n"
    "print('PONG' if ping.delay().get(timeout=60)['pong'] else 'NO')\n"
)

pytestmark = pytest.mark.celery_worker


def run_ping_through_worker(env, log):
    worker = Worker(env, log).start().wait_ready()
    try:
        sender = subprocess.run(
            [sys.executable, "-c", SEND_PING],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
    finally:
        worker.stop()
    worker_log = worker.output()
    assert sender.stdout.strip() == "PONG", sender.stderr + worker_log
    assert "peervisits.tasks.ping" in worker_log
    assert "succeeded" in worker_log


def test_worker_runs_a_task_through_the_filesystem_broker(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["VAR_DIR"] = str(tmp_path)
    run_ping_through_worker(env, tmp_path / "worker.log")
    # The messages went through files under VAR_DIR, not anywhere else.
    assert (tmp_path / "celery" / "queue").is_dir()


def test_worker_runs_a_task_through_redis(redis_url, tmp_path):
    env = {**os.environ, "REDIS_URL": redis_url, "VAR_DIR": str(tmp_path)}
    run_ping_through_worker(env, tmp_path / "worker.log")
    assert not (tmp_path / "celery").exists()
