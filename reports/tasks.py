"""
What Celery workers and beat run for reports, and how a job is handed to them.

Whatever the broker or the workers did, :func:`sweep` (beat, every minute) dispatches
again what waited or ran too long, so no request is lost.
"""

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import rendering
from .models import ReportJob

logger = logging.getLogger(__name__)

Status = ReportJob.Status
REPORT_RETRIES = 5
# Publishing to an unreachable broker gives up quickly (with settings'
# CELERY_BROKER_CONNECTION_TIMEOUT, within two seconds): the job stays queued for the sweep.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


@shared_task(
    bind=True,
    soft_time_limit=settings.REPORT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT + 15,
    max_retries=REPORT_RETRIES,
)
def render_report(self, job_id):
    """Render a report job to PDF; a redelivered or duplicate message does nothing."""
    try:
        job = rendering.run(job_id)
    except rendering.TransientError as exc:
        if self.request.retries >= REPORT_RETRIES:
            rendering.give_up(job_id, exc)
            return None
        # Exponential backoff with jitter: 2, 4, 8… seconds, at most five minutes.
        countdown = min(300, 2 ** (self.request.retries + 1)) + random.uniform(0, 1)
        logger.warning(
            "Report job %s: transient error, retry in %.0f s: %s", job_id, countdown, exc
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    return job.status if job is not None else None


@shared_task
def sweep_report_jobs():
    """Beat, every minute: dispatch again the report jobs that waited or ran too long."""
    return sweep()


def dispatch(job_id):
    """Hand the job to the broker; when it is unreachable, leave the job queued for the sweep."""
    try:
        render_report.apply_async((job_id,), retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # kombu and redis raise many kinds of connection errors
        logger.warning("Broker unreachable: report job %s stays queued for the sweep", job_id,
                       exc_info=True)  # fmt: skip
        return False
    ReportJob.objects.filter(pk=job_id).update(dispatched_at=timezone.now())
    return True


def sweep(now=None):
    """
    Dispatch again the jobs that waited or ran too long: queued and never handed
    to the broker (it was down), queued long ago (the message was lost), or
    running past their lease (the worker died). Returns how many were dispatched.
    """
    now = now or timezone.now()
    grace = now - timedelta(seconds=settings.REPORT_QUEUE_GRACE)
    abandoned = ReportJob.objects.filter(
        status=Status.RUNNING, started_at__lt=now - rendering.lease()
    )
    for job_id in list(abandoned.values_list("pk", flat=True)):
        ReportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
            status=Status.QUEUED, claim="", progress=0
        )
        logger.warning("Report job %s was abandoned by its worker: queued again", job_id)
    waiting = ReportJob.objects.filter(status=Status.QUEUED).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=grace)
    )
    return sum(dispatch(job_id) for job_id in list(waiting.values_list("pk", flat=True)))
