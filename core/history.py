"""
History that reads as a story: what each saved state of an object changed, field by field
("Start date: 6 May 2027 → 13 May 2027"), who changed it and why.

The records are django-simple-history's. Field names and choices are worded when the page is
rendered, so in the reader's language; the related rows named by a change are read in one
query per related model, whatever the length of the history.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

# Bookkeeping that changes with every save and says nothing to the reader.
BOOKKEEPING = {"id", "revision", "created_at", "updated_at", "created_by", "updated_by"}
LONG_TEXT = 80  # characters of a long text shown before and after


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    record: object  # the historical record: its history_date, history_user, history_id
    action: str
    changes: list = field(default_factory=list)
    reason: str = ""


ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


def _fields(model, ignored):
    return [f for f in model._meta.concrete_fields if f.name not in BOOKKEEPING | set(ignored)]


def _shown(model_field, value, related):
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return str(related.get(model_field.related_model, {}).get(value, value))
    if isinstance(value, datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return Truncator(str(value)).chars(LONG_TEXT)


def story(records, *, ignored=(), reason=None):
    """[Entry] of `records` (historical records of one or several objects of one model), in
    their order, each with its changes from the previous record of the same object.
    `reason(record, earlier)` says why a state was reached (a return's or cancellation's
    note); `earlier` is the object's record before, or None."""
    records = list(records)
    if not records:
        return []
    model = records[0].instance_type
    fields = _fields(model, ignored)
    related = {}
    for f in fields:
        if isinstance(f, models.ForeignKey):
            ids = {getattr(r, f.attname) for r in records} - {None}
            related.setdefault(f.related_model, {}).update(
                f.related_model._default_manager.in_bulk(ids)
            )
    previous, entries = {}, {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        earlier = previous.get(record.id)
        changes = []
        if earlier is not None and record.history_type == "~":
            changes = [
                Change(
                    str(f.verbose_name).capitalize(),
                    _shown(f, getattr(earlier, f.attname), related),
                    _shown(f, getattr(record, f.attname), related),
                )
                for f in fields
                if getattr(earlier, f.attname) != getattr(record, f.attname)
            ]
        entries[record.history_id] = Entry(
            record,
            str(ACTIONS.get(record.history_type, "")),
            changes,
            (reason(record, earlier) if reason else "") or "",
        )
        previous[record.id] = record
    return [entries[r.history_id] for r in records]
