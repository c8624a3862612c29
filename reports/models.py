"""A requested report: the job that Celery workers turn into a PDF, and its file."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from countries.roles import roles_of


class ReportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The jobs `user` may follow: their own; every job for the project team.
        ReportJob.is_visible_to says the same of one job."""
        if getattr(user, "is_superuser", False) or roles_of(user).is_project_team:
            return self.all()
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(requested_by=user)

    def waiting(self):
        return self.filter(status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING])


class ReportJob(models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", _("visit systematisation")
        METHODOLOGY = "methodology", _("methodology")
        LESSON = "lesson", _("lesson sheet")
        OVERVIEW = "overview", _("programme overview")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    # The visit, lesson or methodology version reported on; none for the overview.
    target_id = models.PositiveIntegerField(_("target"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="report_jobs",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("requested"), default=timezone.now)
    # Last time a task was handed to the broker; empty while the broker was unreachable.
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)  # for the user
    error_detail = models.TextField(_("error detail"), blank=True)  # for the log and the admin
    file = models.FileField(_("file"), blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    render_seconds = models.FloatField(_("render time (s)"), null=True, blank=True)
    # SHA-256 of the HTML the data made, set by the worker: an unchanged report reuses the file.
    input_hash = models.CharField(
        _("hash of the input data"), max_length=64, db_index=True, blank=True
    )
    # Token of the worker that runs the job: only its holder may write the result.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    reused_from = models.ForeignKey(
        "self",
        verbose_name=_("file of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        # The table of the first stage, when the visits app owned report jobs: the model moved
        # apps (reports/migrations/0001), its rows stayed where they were.
        db_table = "visits_reportjob"
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-queued_at", "-pk"]
        permissions = [("request_report", _("Can request reports"))]
        indexes = [
            models.Index(
                fields=["kind", "target_id", "language", "input_hash", "status"],
                name="reportjob_identical",
            ),
            models.Index(fields=["status", "queued_at"], name="reportjob_sweep"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="progress_0_100"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reports:job_detail", args=[self.pk])

    def is_visible_to(self, user):
        """Whether `user` may follow this job: ReportJob.objects.visible_to's rule, for one."""
        if getattr(user, "is_superuser", False) or roles_of(user).is_project_team:
            return True
        return self.requested_by_id == getattr(user, "pk", None)

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_done(self):
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def download_name(self):
        """The file name the browser saves: what the report is, in its language."""
        return f"{slugify(self.title)[:120] or 'report'}-{self.language}.pdf"
