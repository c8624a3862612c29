"""What the visit pages share: finding the visit a user may see, refusing politely."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from .. import workflow
from ..models import Visit


def get_visit(request, pk, perm=None):
    """The visit; 404 when the user may not see it, 403 when they may not do `perm` to it."""
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user).select_related(
            "host_country", "methodology_version"
        ),
        pk=pk,
    )
    if perm and not request.user.has_perm(perm, visit):
        raise PermissionDenied
    return visit


def refuse_if_closed(request, visit):
    """A redirect with the reason when the visit no longer changes; None otherwise."""
    if not visit.is_open:
        messages.error(
            request,
            _("The visit is %(status)s: it can no longer be changed.")
            % {"status": visit.get_status_display().lower()},
        )
        return redirect(visit)
    return None


def refuse_unless_recording_results(request, visit):
    """Findings and evaluations wait for the approved plan; a redirect with the reason."""
    if not visit.records_results:
        messages.error(
            request,
            _(
                "The visit is %(status)s: findings and evaluations are recorded once the plan is "
                "approved and until the visit is systematised."
            )
            % {"status": visit.get_status_display().lower()},
        )
        return redirect(visit)
    return None


def send_back_if_replanned(request, visit, changes):
    """After a save: an approved plan whose dates, city, delegations or agenda changed goes
    back to the coordinator (workflow.plan_changed); the user is told so."""
    if workflow.plan_changed(visit, changes, request.user):
        messages.warning(
            request,
            _(
                "The approved plan changed: it goes back to the coordinator for approval, and "
                "every delegation is told."
            ),
        )
