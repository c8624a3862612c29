"""
Report jobs: requested in a web request, rendered by a Celery worker, never lost.

A request stores a :class:`ReportJob` and hands its id to the broker once the
transaction commits; an identical request (same report, same language, same
data) is served the file already made. A worker *claims* the job with a
conditional update before rendering, so two deliveries of one job (a sweep
that re-dispatched it, a message redelivered after a worker died) never
render it twice nor write two files. Whatever the broker or the workers did,
:func:`sweep` dispatches again what waited or ran too long.
"""

import logging
import time
import traceback
import uuid
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peervisits.pdf import render_pdf

from ..models import ReportJob
from . import definition
from .base import input_hash

logger = logging.getLogger(__name__)

Status = ReportJob.Status

# Publishing to an unreachable broker gives up quickly: the job stays queued for the sweep.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}


class TransientError(Exception):
    """A failure worth retrying later (database or storage briefly unavailable)."""


def lease():
    """How long a running job may go without finishing before it counts as abandoned."""
    return timedelta(seconds=settings.REPORT_TIME_LIMIT + 30)


# --- in the web request ------------------------------------------------------


def request_report(user, kind, target_id=None, language=None):
    """
    The job for a report the user asks for: an identical finished one, one already
    waiting for them, or a new one dispatched on commit. Http404 when the user may
    not see the target, PermissionDenied when they may not request its report.
    """
    report = definition(kind)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    obj = report.target(user, target_id)
    if not user.has_perm("visits.request_report", obj if obj is not None else kind):
        raise PermissionDenied
    html = report.render_html(obj, language)
    digest = input_hash(kind, language, html)
    target_pk = obj.pk if obj is not None else None
    identical = ReportJob.objects.filter(
        kind=kind, target_id=target_pk, language=language, input_hash=digest
    )
    done = identical.filter(status=Status.DONE).exclude(file="").order_by("-finished_at").first()
    # A file lost from storage (a restored backup, a cleaned bucket) is rendered again.
    if done is not None and default_storage.exists(done.file.name):
        if done.requested_by_id == user.pk:
            return done
        return ReportJob.objects.create(
            kind=kind,
            target_id=target_pk,
            title=done.title,
            language=language,
            requested_by=user,
            status=Status.DONE,
            progress=100,
            input_hash=digest,
            file=done.file.name,
            pages=done.pages,
            size=done.size,
            render_seconds=0,
            started_at=timezone.now(),
            finished_at=timezone.now(),
            reused_from=done,
        )
    waiting = identical.filter(
        requested_by=user, status__in=[Status.QUEUED, Status.RUNNING]
    ).first()
    if waiting is not None:
        return waiting
    job = ReportJob.objects.create(
        kind=kind,
        target_id=target_pk,
        title=report.title_for(obj, language),
        language=language,
        requested_by=user,
        input_hash=digest,
    )
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def retry(job):
    """Queue a failed job again, on commit; False when it has not failed."""
    updated = ReportJob.objects.filter(pk=job.pk, status=Status.FAILED).update(
        status=Status.QUEUED,
        progress=0,
        attempts=0,
        error="",
        error_detail="",
        queued_at=timezone.now(),
        dispatched_at=None,
        started_at=None,
        finished_at=None,
    )
    if updated:
        transaction.on_commit(lambda: dispatch(job.pk))
    return bool(updated)


def dispatch(job_id):
    """Hand the job to the broker; when it is unreachable, leave the job queued for the sweep."""
    from ..tasks import render_report

    try:
        render_report.apply_async((job_id,), retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # kombu and redis raise many kinds of connection errors
        logger.warning("Broker unreachable: report job %s stays queued for the sweep", job_id,
                       exc_info=True)  # fmt: skip
        return False
    ReportJob.objects.filter(pk=job_id).update(dispatched_at=timezone.now())
    return True


# --- in the worker -------------------------------------------------------------


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


def _render(job, report):
    started = time.perf_counter()
    try:
        obj = report.target(None, job.target_id)
        html = report.render_html(obj, job.language)
        _progress(job, 30)
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
    finished = _held(job).update(
        status=Status.DONE,
        progress=100,
        file=saved,
        pages=pdf.pages,
        size=len(pdf.data),
        render_seconds=time.perf_counter() - started,
        input_hash=input_hash(job.kind, job.language, html),
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


# --- in beat -------------------------------------------------------------------


def sweep(now=None):
    """
    Dispatch again the jobs that waited or ran too long: queued and never handed
    to the broker (it was down), queued long ago (the message was lost), or
    running past their lease (the worker died). Returns how many were dispatched.
    """
    now = now or timezone.now()
    grace = now - timedelta(seconds=settings.REPORT_QUEUE_GRACE)
    abandoned = ReportJob.objects.filter(status=Status.RUNNING, started_at__lt=now - lease())
    for job_id in list(abandoned.values_list("pk", flat=True)):
        ReportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
            status=Status.QUEUED, claim="", progress=0
        )
        logger.warning("Report job %s was abandoned by its worker: queued again", job_id)
    waiting = ReportJob.objects.filter(status=Status.QUEUED).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=grace)
    )
    return sum(dispatch(job_id) for job_id in list(waiting.values_list("pk", flat=True)))
