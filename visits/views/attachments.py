"""
Attachments of a visit: upload, download and delete.

Files are never served from MEDIA_URL: every download goes through :func:`download`,
which checks that the user may see the visit and that the file belongs to it.
"""

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..attachments import INLINE_CONTENT_TYPES
from ..forms import AttachmentForm
from ..models import Attachment
from .common import get_visit, refuse_if_closed


def _back_to_list(visit):
    return redirect(f"{visit.get_absolute_url()}#attachments")


def _errors_text(form):
    """The form's errors as one line: "File: the file is 25 MB; …"."""
    parts = []
    for name, errors in form.errors.items():
        said = " ".join(str(error) for error in errors)
        parts.append(f"{form.fields[name].label}: {said}" if name in form.fields else said)
    return " ".join(parts)


@login_required
@require_POST
def upload(request, pk):
    visit = get_visit(request, pk, "visits.add_attachment")
    if refused := refuse_if_closed(request, visit):
        return refused
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request,
            _("The file was not attached. %(errors)s") % {"errors": _errors_text(form)},
        )
        return _back_to_list(visit)
    attachment = form.save(commit=False)
    attachment.visit = visit
    attachment.uploaded_by = request.user
    attachment.save()
    messages.success(
        request, _("“%(title)s” was attached to the visit.") % {"title": attachment.title}
    )
    return _back_to_list(visit)


@login_required
@require_safe
def download(request, pk, attachment_id):
    visit = get_visit(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, visit=visit)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        # Images and PDF open in the browser; everything else is saved.
        as_attachment=attachment.content_type not in INLINE_CONTENT_TYPES,
        filename=os.path.basename(attachment.file.name),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk, attachment_id):
    """Deleting a file cannot be undone: a page says so (GET), and the POST deletes only when
    confirmed there."""
    visit = get_visit(request, pk, "visits.delete_attachment")
    attachment = get_object_or_404(Attachment, pk=attachment_id, visit=visit)
    if request.POST.get("confirmed") != "yes":
        unconfirmed = request.method == "POST"
        context = {"visit": visit, "attachment": attachment, "unconfirmed": unconfirmed}
        return render(request, "visits/attachment_confirm_delete.html", context)
    storage, name, title = attachment.file.storage, attachment.file.name, attachment.title
    with transaction.atomic():
        attachment.delete()
        # The file goes only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(name))
    messages.success(request, _("“%(title)s” was deleted.") % {"title": title})
    return _back_to_list(visit)
