"""
Optimistic locking: a form saves only if nobody else saved what it edits since it was shown,
so that nothing is silently overwritten.

- One object: a RevisionedModel carries a revision, its RevisionCheckedForm a hidden copy of it.
- Several rows edited at once (a formset: the budget, the participants, the checklist…): the
  page carries a fingerprint of the rows as they were shown (`fingerprint`), and
  `save_unless_changed` saves only if they still have it. Both refuse with STALE_MESSAGE.
"""

import hashlib

from django import forms
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Somebody else saved this in the meantime. Your changes were not saved: "
    "they are still in the form below. Open the current version in another tab, "
    "compare, and save again."
)


class StaleEditError(Exception):
    """Somebody else saved the object after the form was shown."""


def fingerprint(rows):
    """A fingerprint of rows (a queryset): it changes when any of their values changes, or when
    a row appears or goes. Give the values to compare (`.values_list(...)`) for rows whose
    many-to-many fields count too."""
    if not getattr(rows, "_fields", None):
        rows = rows.values_list()
    return hashlib.sha256(repr(list(rows.order_by("pk"))).encode()).hexdigest()[:32]


def save_unless_changed(lock, rows, shown, save):
    """Call save() unless `rows` changed since their fingerprint `shown` was put in the page.
    `lock` is a queryset of the one row whose lock serialises such saves (the visit, the
    delegation). Returns False, saving nothing, when the rows changed."""
    with transaction.atomic():
        lock.select_for_update().get()
        if shown != fingerprint(rows):
            return False
        save()
        return True


class RevisionedModel(models.Model):
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class RevisionCheckedForm(forms.ModelForm):
    """A ModelForm that refuses to save over a newer revision of its instance."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Set when a save was refused because somebody else saved first.
    stale = False

    stale_message = STALE_MESSAGE
    # The instance's saved revision, when the instance shown is not the saved one (a past version).
    saved_revision = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shown = self.saved_revision or self.instance.revision if self.instance.pk else 0
        self.fields["revision"].initial = shown

    def _current_revision(self, lock):
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if lock:
            rows = rows.select_for_update()
        return rows.values_list("revision", flat=True).first()

    def _refuse(self, current):
        self.stale = True
        self.add_error(None, self.stale_message)
        # Shown again, the form carries the current revision: saved again after comparing, it
        # deliberately replaces the current version.
        self.data = self.data.copy()
        self.data[self.add_prefix("revision")] = current

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk and not self.stale:
            # Refused at validation already, a stale form shows the reason in any view (the
            # admin's included). Inside a transaction (the admin's), the row stays locked
            # until the save; elsewhere save() checks again under a lock.
            current = self._current_revision(lock=transaction.get_connection().in_atomic_block)
            if current is None or current != cleaned_data.get("revision"):
                self._refuse(current)
        return cleaned_data

    def save(self, commit=True):
        if not self.instance.pk:
            return super().save(commit)
        with transaction.atomic():
            current = self._current_revision(lock=True)
            if current is None or current != self.cleaned_data.get("revision"):
                self._refuse(current)
                raise StaleEditError
            self.instance.revision = current + 1
            return super().save(commit)


class RevisionCheckedFormViewMixin:
    """For UpdateViews: a stale save shows the form again with its input and the reason."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except StaleEditError:
            return self.form_invalid(form)
