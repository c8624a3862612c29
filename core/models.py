"""Summaries kept on write (core.summaries): what a page would otherwise count over the
whole programme on every view."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Summary(models.Model):
    """The figures of one summary (its key names who computes them), as JSON, and when they
    were computed."""

    key = models.CharField(_("summary"), max_length=50, unique=True)
    data = models.JSONField(_("figures"), default=dict)
    # What the summary's watermark read when it was computed (see core.summaries).
    watermark = models.JSONField(_("watermark"), null=True)
    computed_at = models.DateTimeField(_("computed"), null=True)

    class Meta:
        verbose_name = _("summary")
        verbose_name_plural = _("summaries")

    def __str__(self):
        return self.key


class SummaryChange(models.Model):
    """A write that a summary has not counted yet. Written in the writer's transaction: an
    insert, so writers never wait for each other on it; deleted once a summary computed after
    that transaction's commit has counted it."""

    key = models.CharField(max_length=50, db_index=True)

    class Meta:
        verbose_name = _("summary change")
        verbose_name_plural = _("summary changes")

    def __str__(self):
        return self.key
