"""
`make bench`: benchmarks on generated data at realistic scale, in a throw-away
database (the test database of the configured one: SQLite by default,
PostgreSQL with DATABASE_URL), printed as a table and written to
benchmarks/results/latest.json. Exits 1 when a ratio misses its goal.
"""

import io
import os
import sys
import tempfile

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peervisits.settings")
    # Generated files go to a temporary media folder, never the developer's.
    media = tempfile.TemporaryDirectory(prefix="peervisits-bench-")
    os.environ["MEDIA_ROOT"] = media.name
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from benchmarks import reports
    from benchmarks.results import LATEST, table, write
    from peervisits.celery import app

    # Jobs are run in this process; the messages of their dispatch go nowhere.
    app.conf.broker_url = "memory://"
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("load_demo", stdout=io.StringIO())
        results = reports.run()
    finally:
        teardown_databases(databases, verbosity=0)
        media.cleanup()
    print(table(results))
    write(results)
    print(f"\nwritten to {os.path.relpath(LATEST)}")
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
