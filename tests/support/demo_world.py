"""
The demo world, committed once per test database and cut down to what each test asks for.

Loading the demo's countries, methodology and visits costs about two seconds; doing it
for every test that needs them was a third of the suite's time. So each xdist worker
commits the world once, in up to three layers (as far as a test has asked for), and
remembers the highest primary key of every table after each layer:

- ``EMPTY``: the migrated database (content types and permissions only);
- ``PEOPLE``: the demo's countries, actors, people, users and methodology (``demo``);
- ``VISITS``: also the demo's fourteen visits (``demo_visits``).

A test sees the layer its fixtures ask for: inside the test's transaction, the rows
above that layer are deleted (Django's foreign keys are deferred, so the order of the
deletes does not matter) and the transaction's rollback brings them back. A
transactional test commits, and its end flushes every table, the rows the migrations
wrote with them (Django's flush recreates only content types and permissions): before the
next test those rows are restored, and the world is committed again the next time a test
asks for more than the empty layer. (pytest-django runs transactional tests last for the
same reason; here they run first, being the slowest, so that both cores finish together.)

The loaders only insert rows, so a layer is exactly "the rows up to these keys"; a test
(tests/peervisits/test_demo_world.py) checks that each layer equals a fresh load.
"""

import functools

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import connection, models, transaction
from django.test import override_settings

from core.models import Summary
from countries import demo as countries_demo
from visits import demo as visits_demo
from visits.methodology import demo as methodology_demo

EMPTY, PEOPLE, VISITS = range(3)

# PBKDF2's deliberate slowness costs about half a second per demo user; tests check
# passwords, not the hasher's strength.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


@functools.cache
def tables():
    """(table, primary key column) of every table with an integer key, and the others."""
    integer, other = [], []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        table, pk = model._meta.db_table, model._meta.pk
        (integer if isinstance(pk, INTEGER_KEYS) else other).append((table, pk.column))
    return sorted(set(integer)), sorted(set(other))


def per_table(aggregate, of_tables):
    """{table: value} of ``aggregate`` over each table, in one query. In ``aggregate``,
    ``{key}`` is the table's key column and ``row`` the row."""
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{table}', {aggregate.format(key=f'row.{quote(key)}')} FROM {quote(table)} row"
        for table, key in of_tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _highest_keys(of_tables):
    return {table: highest or 0 for table, highest in per_table("MAX({key})", of_tables).items()}


LOADERS = {
    PEOPLE: (countries_demo.load, methodology_demo.load),
    VISITS: (visits_demo.load_visits,),
}


class DemoWorld:
    """One per test process: what the test database holds, and how to cut it down."""

    def __init__(self):
        self.layer = EMPTY  # the highest layer committed
        self.flushed = False  # True: a transactional test emptied every table
        self.migrated = None  # the rows the migrations wrote, serialised
        self.keys = []  # per committed layer, the highest key of every integer-keyed table

    def _keep_what_the_migrations_wrote(self):
        recreated_by_flush = {ContentType, Permission}
        models_with_rows = [
            model
            for model in apps.get_models()
            if model not in recreated_by_flush
            and model._meta.managed
            and not model._meta.proxy
            and model.objects.exists()
        ]
        self.migrated = [
            serializers.serialize("json", model.objects.order_by("pk"))
            for model in models_with_rows
        ]

    def _restore_what_the_migrations_wrote(self):
        with transaction.atomic():
            for data in self.migrated:
                for row in serializers.deserialize("json", data):
                    row.save()

    def commit(self, layer):
        """Loads and commits the layers up to ``layer`` that are not there yet. Only as far as
        asked: a transactional test pays for its own layer after every flush."""
        if connection.in_atomic_block:
            raise RuntimeError("the demo world is committed outside any transaction")
        integer, other = tables()
        others_before = per_table("COUNT(*)", other)
        if self.layer == EMPTY:
            self.keys = [_highest_keys(integer)]
        with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
            for above in range(self.layer + 1, layer + 1):
                for load in LOADERS[above]:
                    load()
                self.keys.append(_highest_keys(integer))
                self.layer = above
        if per_table("COUNT(*)", other) != others_before:
            raise RuntimeError("the demo wrote to a table without an integer key: cannot cut it")

    def before_database(self, layer):
        """Before the test's transaction opens: the world is there if the test wants it."""
        if self.migrated is None:  # the first test of this process: the database as migrated
            self._keep_what_the_migrations_wrote()
        if self.flushed:
            self._restore_what_the_migrations_wrote()
            self.flushed = False
        if layer > self.layer:
            self.commit(layer)

    def cut_to(self, layer):
        """Inside the test's transaction: deletes the world's rows above ``layer`` (not the
        rows a module's own fixture may have added after the world)."""
        if layer >= self.layer:
            return
        quote = connection.ops.quote_name
        top, keep = self.keys[self.layer], self.keys[layer]
        columns = dict(tables()[0])  # table → its key column
        deletes = [
            f"DELETE FROM {quote(table)} WHERE {quote(columns[table])} "
            f"BETWEEN {int(keep[table]) + 1} AND {int(highest)}"
            for table, highest in top.items()
            if highest > keep[table]
        ]
        # Summaries (core.summaries) counted the world as it was: without them, pages count
        # the world as cut, live.
        deletes.append(f"DELETE FROM {quote(Summary._meta.db_table)}")
        # One transaction even in a transactional test: the foreign keys are checked at its end.
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("; ".join(deletes))  # one round trip
            else:
                for delete in deletes:
                    cursor.execute(delete)

    def after_transactional_test(self):
        """A transactional test's end flushes every table."""
        self.layer = EMPTY
        self.flushed = True


def layer_of(fixturenames):
    if "demo_visits" in fixturenames:
        return VISITS
    if "demo" in fixturenames:
        return PEOPLE
    return EMPTY
