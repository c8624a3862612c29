"""
Optimistic locking: a form saves only if nobody else saved the object since
the form was shown, so that nothing is silently overwritten.
"""

from django import forms
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class StaleEditError(Exception):
    """Somebody else saved the object after the form was shown."""


class RevisionedModel(models.Model):
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class RevisionCheckedForm(forms.ModelForm):
    """A ModelForm that refuses to save over a newer revision of its instance."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Set when a save was refused because somebody else saved first.
    stale = False

    stale_message = _(
        "Somebody else saved this in the meantime. Your changes were not saved: "
        "they are still in the form below. Open the current version in another tab, "
        "compare, and save again."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = self.instance.revision if self.instance.pk else 0

    def save(self, commit=True):
        if not self.instance.pk:
            return super().save(commit)
        model = type(self.instance)
        with transaction.atomic():
            current = (
                model._default_manager.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("revision", flat=True)
                .first()
            )
            if current is None or current != self.cleaned_data.get("revision"):
                self.stale = True
                self.add_error(None, self.stale_message)
                # Shown again, the form carries the current revision: saved again after
                # comparing, it deliberately replaces the current version.
                self.data = self.data.copy()
                self.data[self.add_prefix("revision")] = current
                raise StaleEditError
            self.instance.revision = current + 1
            return super().save(commit)
