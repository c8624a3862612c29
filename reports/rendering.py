"""
Report jobs in the worker: claim, render (or reuse an identical file), finish, fail.

A worker *claims* the job with a conditional update before rendering, so two deliveries of
one job (a sweep that re-dispatched it, a message redelivered after a worker died) never
render it twice nor write two files. The job's HTML is rendered first: when an identical
report (same kind, target, language and HTML) is already done and its file still exists, the
job takes that file and WeasyPrint is not called.
"""

import logging
import time
import traceback
import uuid
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .kinds import definition
from .kinds.base import input_hash
from .models import ReportJob
from .pdf import render_pdf

logger = logging.getLogger(__name__)

Status = ReportJob.Status


class TransientError(Exception):
    """A failure worth retrying later (database or storage briefly unavailable)."""


def lease():
    """How long a running job may go without finishing before it counts as abandoned."""
    return timedelta(seconds=settings.REPORT_TIME_LIMIT + 30)


def claim(job_id):
    """Take the job for this worker, or None when another has it or it is finished."""
    token = uuid.uuid4().hex
    now = timezone.now()
    taken = ReportJob.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=now - lease()),
        pk=job_id,
    ).update(
        status=Status.RUNNING,
        claim=token,
        started_at=now,
        progress=5,
        attempts=F("attempts") + 1,
    )
    return ReportJob.objects.get(pk=job_id) if taken else None


def _held(job):
    return ReportJob.objects.filter(pk=job.pk, claim=job.claim, status=Status.RUNNING)


def _progress(job, percent):
    _held(job).update(progress=percent)


def fail(job, message, detail=""):
    _held(job).update(
        status=Status.FAILED, error=message, error_detail=detail, finished_at=timezone.now()
    )


def release(job):
    """Give the job back to the queue (before a retry of a transient failure)."""
    _held(job).update(status=Status.QUEUED, claim="", progress=0)


def run(job_id):
    """
    Render a claimed job. Returns the job (None when it was not ours to run).
    Raises TransientError after giving the job back, for the task to retry.
    """
    job = claim(job_id)
    if job is None:
        logger.info("Report job %s: nothing to do (finished, or another worker has it)", job_id)
        return None
    # The job's messages are in the language of its report, which the user chose.
    with translation.override(job.language):
        if job.attempts > settings.REPORT_MAX_ATTEMPTS:
            fail(
                job,
                _("The report could not be produced after %(count)s attempts. Try again later.")
                % {"count": settings.REPORT_MAX_ATTEMPTS},
                "attempts exhausted: the workers stopped while rendering",
            )
            return job
        return _render(job, definition(job.kind))


def identical_file(job, digest):
    """The finished job of the same report and HTML whose file still exists, or None.
    A file lost from storage (a restored backup, a cleaned bucket) is rendered again."""
    done = (
        ReportJob.objects.filter(
            kind=job.kind,
            target_id=job.target_id,
            language=job.language,
            input_hash=digest,
            status=Status.DONE,
        )
        .exclude(pk=job.pk)
        .exclude(file="")
        .order_by("-finished_at")
        .first()
    )
    if done is not None and default_storage.exists(done.file.name):
        return done
    return None


def _render(job, report):
    started = time.perf_counter()
    try:
        obj = report.target(None, job.target_id)
        html = report.render_html(obj, job.language)
        digest = input_hash(job.kind, job.language, html)
        _progress(job, 30)
        done = identical_file(job, digest)
        if done is not None:
            return _finish(job, started, digest, done.file.name, done.pages, done.size, done)
        pdf = render_pdf(html, on_layout_done=lambda: _progress(job, 70))
        _progress(job, 90)
        name = f"reports/{job.pk}/{job.download_name}"
        # A worker that died after writing left this name behind: replace it, never add a copy.
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(pdf.data))
    except SoftTimeLimitExceeded:
        limit = settings.REPORT_TIME_LIMIT
        logger.error("Report job %s stopped after %s seconds", job.pk, limit)
        message = ngettext(
            "The report took longer than %(seconds)s second to produce and was stopped.",
            "The report took longer than %(seconds)s seconds to produce and was stopped.",
            limit,
        ) % {"seconds": limit}
        fail(job, message, "soft time limit exceeded")
        return job
    except (OSError, OperationalError, InterfaceError) as exc:
        release(job)
        raise TransientError(str(exc)) from exc
    except Exception as exc:
        if isinstance(exc, Http404):
            message = _("What this report was about no longer exists.")
        elif isinstance(exc, DatabaseError):
            message = _("The report could not be produced because of a database error.")
        else:
            message = _(
                "The report could not be produced because of an error in its data or "
                "layout. The team has been told (job %(id)s); you may try again."
            ) % {"id": job.pk}
        logger.exception("Report job %s failed", job.pk)
        fail(job, message, traceback.format_exc())
        return job
    return _finish(job, started, digest, saved, pdf.pages, len(pdf.data))


def _finish(job, started, digest, file_name, pages, size, reused_from=None):
    finished = _held(job).update(
        status=Status.DONE,
        progress=100,
        file=file_name,
        pages=pages,
        size=size,
        render_seconds=time.perf_counter() - started,
        input_hash=digest,
        reused_from=reused_from,
        finished_at=timezone.now(),
        error="",
        error_detail="",
    )
    if not finished:
        # Another worker took the job over meanwhile (we ran past the lease): keep theirs.
        logger.warning("Report job %s: claim lost before finishing; result dropped", job.pk)
    return job


def give_up(job_id, exc):
    """A transient problem outlasted the retries: fail with a clear message."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    with translation.override(job.language):
        message = _("A temporary problem stopped the report several times. Try again later.")
    ReportJob.objects.filter(pk=job_id).exclude(status=Status.DONE).update(
        status=Status.FAILED, error=message, error_detail=str(exc), finished_at=timezone.now()
    )
