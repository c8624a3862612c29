"""A real Celery worker process takes a task of the project's from the real broker."""

import os
import subprocess
import sys

import pytest

from tests.support.workers import ROOT, Worker, url_of_the_test_database, wait_for

# Sends beat's sweep of report jobs, as a separate process so that it configures Celery from
# the environment like the web app does. No result comes back (there is no result backend):
# the worker's log says that the task ran.
SEND_SWEEP = (
    "import django; django.setup()\n"
    "from reports.tasks import sweep_report_jobs\n"
    "print(sweep_report_jobs.delay().id)\n"
)

pytestmark = pytest.mark.celery_worker


def run_sweep_through_worker(env, log):
    env = {**env, "DATABASE_URL": url_of_the_test_database()}
    worker = Worker(env, log).start().wait_ready()
    try:
        sender = subprocess.run(
            [sys.executable, "-c", SEND_SWEEP],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        task_id = sender.stdout.strip()
        assert task_id, sender.stderr
        wait_for(
            lambda: f"reports.tasks.sweep_report_jobs[{task_id}] succeeded" in worker.output(),
            message="the worker to run the sweep",
        )
    finally:
        worker.stop()


def test_worker_runs_a_task_through_the_filesystem_broker(db, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["VAR_DIR"] = str(tmp_path)
    run_sweep_through_worker(env, tmp_path / "worker.log")
    # The messages went through files under VAR_DIR, not anywhere else.
    assert (tmp_path / "celery" / "queue").is_dir()


def test_worker_runs_a_task_through_redis(db, redis_url, tmp_path):
    env = {**os.environ, "REDIS_URL": redis_url, "VAR_DIR": str(tmp_path)}
    run_sweep_through_worker(env, tmp_path / "worker.log")
    assert not (tmp_path / "celery").exists()
