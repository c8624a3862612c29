"""
Report jobs in the web request: store what the user asked for and hand it to a worker.

A request never renders anything: it checks that the user may have the report, stores a
:class:`ReportJob` (or returns the identical one they are already waiting for) and hands its
id to the broker once the transaction commits. The worker renders the HTML and reuses the
file of an identical finished job before calling WeasyPrint (:mod:`.rendering`), so a
repeated identical request costs no PDF render either.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation

from .kinds import definition
from .models import ReportJob
from .tasks import dispatch

Status = ReportJob.Status


def request_report(user, kind, target_id=None, language=None):
    """
    The job for a report the user asks for: the identical one already waiting for them, or a
    new one dispatched on commit. Http404 when the user may not see the target,
    PermissionDenied when they may not request its report.
    """
    report = definition(kind)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    obj = report.target(user, target_id)
    if not user.has_perm("reports.request_report", obj if obj is not None else kind):
        raise PermissionDenied
    target_pk = obj.pk if obj is not None else None
    waiting = (
        ReportJob.objects.waiting()
        .filter(kind=kind, target_id=target_pk, language=language, requested_by=user)
        .first()
    )
    if waiting is not None:
        return waiting
    job = ReportJob.objects.create(
        kind=kind,
        target_id=target_pk,
        title=report.title_for(obj, language),
        language=language,
        requested_by=user,
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
