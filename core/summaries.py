"""
Summaries kept on write: figures that would cost a scan of the whole programme on every page
view (the knowledge bank's facets, the programme's figures) are computed once after each write
that changes them, and read as one row.

An app registers a summary with the function that computes it (returning JSON-able data) and
the models whose writes change it. Such a write inserts a SummaryChange in its own
transaction and, once that transaction commits, the summary is computed again (under a lock on
its row, so two refreshes run one after the other, each from everything committed before it).
The summary's reader gets None while a change is not counted yet (the refresh is under way,
or failed), and then counts live: a summary is never read stale. Writes that send no signal
(bulk_create, update(), SQL) are caught by the summary's watermark where it has one: a value
read in one cheap query (the highest key, the latest update) that such writes move.
"""

import functools
import logging

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import Summary, SummaryChange

logger = logging.getLogger(__name__)

_computers = {}  # key -> function computing the summary's data
_watermarks = {}  # key -> function reading its watermark


def register(key, compute, *, watermark=None, saved=(), deleted=(), many_to_many=()):
    """Keeps the summary `key` as computed by `compute()` after every save of the `saved`
    models, every deletion of the `deleted` ones (a deletion also removes, by cascade, rows
    that send no signal) and every change of the `many_to_many` relations (their through
    models). `watermark()`, if given, returns JSON that a write without signals changes."""
    _computers[key] = compute
    _watermarks[key] = watermark or (lambda: None)
    on_write = functools.partial(_on_write, key)
    for model in saved:
        post_save.connect(on_write, sender=model, weak=False, dispatch_uid=(key, model, "save"))
    for model in deleted:
        post_delete.connect(on_write, sender=model, weak=False, dispatch_uid=(key, model, "del"))
    for through in many_to_many:
        m2m_changed.connect(on_write, sender=through, weak=False, dispatch_uid=(key, through))


def _on_write(key, sender, **kwargs):
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return  # a many-to-many change signals before and after: count it once, after
    changed(key, using=kwargs.get("using"))


def changed(key, using=None):
    """Records, in the current transaction, that the summary must be computed again."""
    SummaryChange.objects.using(using).create(key=key)

    def refresh_after_commit():  # a function: Django names it when it logs a failure
        refresh(key, using=using)

    # robust: the write has committed; a failed refresh only leaves the summary to be counted
    # live until the next one succeeds.
    transaction.on_commit(refresh_after_commit, using=using, robust=True)


def refresh(key, *, force=False, using=None):
    """Computes the summary again if a change is not counted yet (or `force`)."""
    with transaction.atomic(using=using):
        summary, _ = Summary.objects.using(using).select_for_update().get_or_create(key=key)
        changes = SummaryChange.objects.using(using).filter(key=key)
        # Under the lock, the changes committed so far: those committed later are left for
        # their own transaction's refresh.
        last = changes.aggregate(last=Max("pk"))["last"]
        if last is None and summary.computed_at is not None and not force:
            return summary
        summary.watermark = _watermarks[key]()
        summary.data = _computers[key]()
        summary.computed_at = timezone.now()
        summary.save(update_fields=["data", "watermark", "computed_at"])
        if last is not None:
            changes.filter(pk__lte=last).delete()
    logger.debug("summary %s computed", key)
    return summary


def current(key):
    """The summary `key` as Summary (its data and when it was computed), or None when it was
    never computed, a change is not counted yet or its watermark moved: the caller then
    counts live."""
    summary = (
        Summary.objects.filter(key=key, computed_at__isnull=False)
        .filter(~Exists(SummaryChange.objects.filter(key=OuterRef("key"))))
        .first()
    )
    if summary is None or summary.watermark != _watermarks[key]():
        return None
    return summary


def highest(*fields):
    """A watermark: the highest value of each (model, field name), as text, in one query."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT MAX({quote(model._meta.get_field(name).column)}) "
        f"FROM {quote(model._meta.db_table)})"
        for model, name in fields
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return [None if value is None else str(value) for value in cursor.fetchone()]


def refresh_all(force=True):
    """Every registered summary computed again (manage.py refresh_summaries)."""
    return [refresh(key, force=force) for key in sorted(_computers)]
