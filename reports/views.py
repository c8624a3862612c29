"""
Report jobs in the browser: request one, follow its progress, download the PDF.

The job page answers JSON to ``Accept: application/json`` so that it can poll
itself; the file is only ever served through :func:`job_download`, which checks
again that the user may see what the report is about.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import jobs as report_jobs
from .forms import ReportRequestForm
from .kinds import definition
from .models import ReportJob

JOBS_PER_PAGE = 25


@login_required
def job_list(request):
    """GET: the user's report jobs. POST: request a report (or get the identical one)."""
    form = ReportRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                job = report_jobs.request_report(
                    request.user,
                    form.cleaned_data["kind"],
                    form.cleaned_data["target"],
                    form.cleaned_data["language"] or None,
                )
            return redirect(job)
        status = 400
    else:
        status = 200
    jobs = ReportJob.objects.filter(requested_by=request.user)
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/job_list.html",
        {
            "form": form,
            "page_obj": page,
            "jobs": page.object_list,
            "may_request_programme_reports": request.user.has_perm(
                "reports.request_report", ReportJob.Kind.OVERVIEW
            ),
        },
        status=status,
    )


def _get_job(request, pk):
    """The job, if the user may follow it; 404 otherwise."""
    return get_object_or_404(ReportJob.objects.visible_to(request.user), pk=pk)


def job_state(job):
    return {
        "id": job.pk,
        "status": job.status,
        "status_display": capfirst(job.get_status_display()),
        "progress": job.progress,
        "error": job.error,
        "download_url": reverse("reports:job_download", args=[job.pk]) if job.is_done else None,
    }


@never_cache
@login_required
@require_safe
def job_detail(request, pk):
    job = _get_job(request, pk)
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return JsonResponse(job_state(job))
    return render(
        request,
        "reports/job_detail.html",
        {
            "job": job,
            "may_retry": job.status == ReportJob.Status.FAILED
            and job.requested_by_id == request.user.pk,
        },  # fmt: skip
    )


@login_required
@require_safe
def job_download(request, pk):
    job = _get_job(request, pk)
    if not job.is_done:
        raise Http404(_("This report is not ready."))
    # The user must still be allowed to see what the report is about.
    definition(job.kind).target(request.user, job.target_id)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this report is missing.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=job.download_name, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def job_retry(request, pk):
    job = _get_job(request, pk)
    if job.requested_by_id != request.user.pk:
        raise Http404
    with transaction.atomic():
        queued = report_jobs.retry(job)
    if queued:
        messages.success(request, _("The report was queued again."))
    else:
        messages.info(request, _("Only a failed report can be tried again."))
    return redirect(job)
