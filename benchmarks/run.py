"""
`make bench`: benchmarks on generated data at realistic scale, in a throw-away
database (the test database of the configured one: SQLite by default,
PostgreSQL with DATABASE_URL), printed as a table and written to
benchmarks/results/latest.json. Exits 1 when a ratio misses its goal.
"""

import os
import sys
import tempfile
import time

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peervisits.settings")
    # Generated files go to a temporary media folder, never the developer's.
    media = tempfile.TemporaryDirectory(prefix="peervisits-bench-")
    os.environ["MEDIA_ROOT"] = media.name
    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    from benchmarks.results import LATEST, table, write
    from peervisits.celery import app

    # Jobs are run in this process; the messages of their dispatch go nowhere.
    app.conf.broker_url = "memory://"
    # Not setup_test_environment(): its instrumented template rendering would slow the pages.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        results = measure()
    finally:
        teardown_databases(databases, verbosity=0)
        media.cleanup()
    from benchmarks import load

    results += load.run()
    print(table(results))
    write(results)
    print(f"\nwritten to {os.path.relpath(LATEST)}")
    return 0 if all(r.met for r in results) else 1


def measure():
    """Generated data in stages: pages at 10 visits, reports at 300, pages again at 500."""
    from benchmarks import data, pages, reports
    from countries import demo as countries_demo
    from lessons import demo as lessons_demo
    from visits.methodology import demo as methodology_demo
    from visits.models import Visit

    started = time.perf_counter()
    countries_demo.load()
    methodology_demo.load()
    lessons_demo.load()
    data.make_actors(60)
    data.make_versions(3)
    data.make_lessons(5000)
    visits = data.make_visits(10)
    counts_at_10 = pages.query_counts(visits[0])
    print(f"data at 10 visits in {time.perf_counter() - started:.0f} s", flush=True)

    results = reports.run()  # generates visits up to 300 for the overview
    data.make_visits(500 - Visit.objects.count(), first_number=5000)
    print(f"data at 500 visits in {time.perf_counter() - started:.0f} s", flush=True)
    results += pages.run(visits[0], counts_at_10)
    results += pages.gin_index_in_plan()
    return results


if __name__ == "__main__":
    sys.exit(main())
