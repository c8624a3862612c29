"""
The load test: 50 users browsing and requesting reports for two minutes
against gunicorn (4 workers) and 2 Celery workers, all on loopback, on a fresh
PostgreSQL database with the demo data and Redis. Afterwards every report job
must be done. Needs DATABASE_URL (PostgreSQL) and REDIS_URL: production's stack.
"""

import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse
from urllib.request import urlopen

from benchmarks.results import Result

ROOT = Path(__file__).resolve().parent.parent
USERS = 50
SPAWN_RATE = 10
DURATION = "2m"
PORT = 8765
DRAIN_SECONDS = 600


def _database_url(name):
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{name}"))


def _psql(sql):
    parsed = urlparse(os.environ["DATABASE_URL"])
    subprocess.run(
        ["psql", "-q", "-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432),
         "-U", parsed.username or "postgres", "-c", sql, "postgres"],
        check=True, env={**os.environ, "PGPASSWORD": parsed.password or ""},
    )  # fmt: skip


def _wait_http(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def run():
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        print("load test skipped: it needs DATABASE_URL (PostgreSQL) and REDIS_URL")
        return []
    name = "peervisits_load"
    _psql(f"DROP DATABASE IF EXISTS {name}")
    _psql(f"CREATE DATABASE {name}")
    work = Path(tempfile.mkdtemp(prefix="peervisits-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(name),
        "REDIS_URL": os.environ["REDIS_URL"].rstrip("/0123456789") + "/3",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(work),
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "WARNING",
        # 50 users share a few accounts and one address; throttling is for attackers.
        "AXES_FAILURE_LIMIT": "1000",
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v0"], ["load_demo"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "peervisits", "purge", "-f"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    logs = open(work / "servers.log", "w")
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "peervisits.wsgi", "--workers", "4",
             "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT,
        ),
    ] + [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "peervisits", "worker", "--concurrency=1",
             "--loglevel=WARNING", "--hostname", f"load{n}@%h"],
            cwd=ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT,
        )
        for n in (1, 2)
    ]  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{PORT}/healthz/")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py"),
             "--headless", "--users", str(USERS), "--spawn-rate", str(SPAWN_RATE),
             "--run-time", DURATION, "--stop-timeout", "120",
             "--host", f"http://127.0.0.1:{PORT}", "--csv", str(work / "load"), "--only-summary"],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        load_seconds = time.perf_counter() - started
        jobs = _drain(env)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=60)
        logs.close()
    return _results(work / "load_stats.csv", jobs, load_seconds)


JOB_COUNTS = (
    "import django, json; django.setup()\n"
    "from django.db.models import Count\n"
    "from reports.models import ReportJob\n"
    "print(json.dumps(dict(ReportJob.objects.values_list('status').annotate(n=Count('pk')))))\n"
)


def _job_counts(env):
    out = subprocess.run(
        [sys.executable, "-c", JOB_COUNTS], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _drain(env):
    """Wait for the workers to finish what the users requested; the job counts by status."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        counts = _job_counts(env)
        waiting = counts.get("queued", 0) + counts.get("running", 0)
        if not waiting or time.monotonic() > deadline:
            return counts
        time.sleep(2)


def _results(stats_csv, jobs, load_seconds):
    with open(stats_csv) as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    results = [
        Result("load: requests in 2 minutes (50 users)", int(total["Request Count"]), "requests"),
        Result("load: failed requests", int(total["Failure Count"]), "errors"),
        Result("load: median response time", float(total["Median Response Time"]), "ms"),
        Result("load: p95 response time", float(total["95%"]), "ms"),
    ]
    for name in ("/visits/<id>/", "/reports/ (POST)", "/reports/<id>/download/"):
        if name in rows:
            results.append(Result(f"load: p95 {name}", float(rows[name]["95%"]), "ms"))
    done = jobs.get("done", 0)
    results.append(Result("load: report jobs done", done, "jobs"))
    results.append(Result("load: report jobs not done", sum(jobs.values()) - done, "jobs"))
    print(f"load test: {load_seconds:.0f} s of load, report jobs by status {jobs}")
    return results
