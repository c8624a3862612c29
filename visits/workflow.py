"""
The life of a visit: draft → planned → conducted → systematised → closed, or
cancelled. Each transition checks its preconditions and says exactly what is
missing, with a link to the page where it is fixed.
"""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import MethodologyVersion, Visit

Status = Visit.Status


class VisitError(Exception):
    """A transition was refused; the message says why."""


@dataclass
class Gap:
    """Something a visit lacks for a transition, and where to fix it."""

    message: str
    url: str


def plan_gaps(visit):
    edit = reverse("visits:visit_update", args=[visit.pk])
    gaps = []
    if not (visit.start_date and visit.end_date):
        gaps.append(Gap(_("The dates of the visit are missing."), edit))
    if not visit.objectives.strip():
        gaps.append(Gap(_("The objectives of the visit are missing."), edit))
    if not visit.delegations.filter(is_host=False).exists():
        gaps.append(
            Gap(
                _("No visiting delegation takes part yet."),
                reverse("visits:delegations", args=[visit.pk]),
            )
        )
    if not visit.agenda_items.exists():
        gaps.append(Gap(_("The agenda is empty."), reverse("visits:agenda_edit", args=[visit.pk])))
    return gaps


def conduct_gaps(visit):
    if visit.end_date and visit.end_date > timezone.localdate():
        return [
            Gap(
                _("The visit ends on %(date)s: it can be marked as conducted after that.")
                % {"date": visit.end_date},
                visit.get_absolute_url(),
            )
        ]
    return []


def missing_compliance(visit):
    """Criteria of the visit's methodology version without a compliance check (read once per
    visit object: its page and the gaps of its next step both ask)."""
    if visit.methodology_version_id is None:
        return []
    if not hasattr(visit, "_missing_compliance"):
        checked = visit.compliance_checks.values_list("criterion_id", flat=True)
        visit._missing_compliance = list(visit.methodology_version.criteria.exclude(pk__in=checked))
    return visit._missing_compliance


def systematisation_gaps(visit):
    gaps = []
    if not visit.findings.exists():
        gaps.append(
            Gap(_("No findings are recorded."), reverse("visits:finding_create", args=[visit.pk]))
        )
    if not visit.evaluations.exists():
        gaps.append(
            Gap(
                _("No evaluation of the participants is recorded."),
                visit.get_absolute_url() + "#evaluations",
            )
        )
    missing = visit.unchecked_criteria
    if missing:
        gaps.append(
            Gap(
                _("The compliance checklist lacks %(codes)s.")
                % {"codes": ", ".join(c.code for c in missing)},
                reverse("visits:compliance", args=[visit.pk]),
            )
        )
    return gaps


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple
    target: str
    permission: str
    gaps: object = None  # function(visit) -> [Gap]
    needs_note: bool = False


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            gettext_lazy("Submit the plan for approval"),
            (Status.DRAFT,),
            Status.DRAFT,
            "visits.submit_visit",
            plan_gaps,
        ),
        Transition(
            "approve",
            gettext_lazy("Approve the plan"),
            (Status.DRAFT,),
            Status.PLANNED,
            "visits.approve_visit",
            plan_gaps,
        ),
        Transition(
            "return",
            gettext_lazy("Return the plan"),
            (Status.DRAFT,),
            Status.DRAFT,
            "visits.approve_visit",
            needs_note=True,
        ),
        Transition(
            "conduct",
            gettext_lazy("Mark as conducted"),
            (Status.PLANNED,),
            Status.CONDUCTED,
            "visits.transition_visit",
            conduct_gaps,
        ),
        Transition(
            "systematise",
            gettext_lazy("Mark as systematised"),
            (Status.CONDUCTED,),
            Status.SYSTEMATISED,
            "visits.transition_visit",
            systematisation_gaps,
        ),
        Transition(
            "close",
            gettext_lazy("Close the visit"),
            (Status.SYSTEMATISED,),
            Status.CLOSED,
            "visits.approve_visit",
        ),
        Transition(
            "cancel",
            gettext_lazy("Cancel the visit"),
            (Status.DRAFT, Status.PLANNED),
            Status.CANCELLED,
            "visits.transition_visit",
            needs_note=True,
        ),
    ]
}


def available_transitions(visit, user):
    """[(transition, gaps)] the user may take from the visit's current status."""
    found = []
    for transition in TRANSITIONS.values():
        if visit.status not in transition.sources or not user.has_perm(
            transition.permission, visit
        ):
            continue
        if transition.name == "submit" and visit.plan_submitted_at:
            continue
        if transition.name in ("approve", "return") and not visit.plan_submitted_at:
            continue
        found.append((transition, transition.gaps(visit) if transition.gaps else []))
    return found


@transaction.atomic
def apply_transition(visit, name, user, note=""):
    transition = TRANSITIONS[name]
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.status not in transition.sources:
        raise VisitError(
            _("The visit is %(status)s: “%(action)s” is not possible now.")
            % {"status": visit.get_status_display().lower(), "action": transition.label}
        )
    if name in ("approve", "return") and not visit.plan_submitted_at:
        raise VisitError(_("The plan has not been submitted yet."))
    if transition.needs_note and not note.strip():
        raise VisitError(_("Please give a reason."))
    gaps = transition.gaps(visit) if transition.gaps else []
    if gaps:
        raise VisitError(" ".join([_("Not possible yet:"), *(gap.message for gap in gaps)]))

    if name == "submit":
        visit.plan_submitted_at = timezone.now()
        visit.return_note = ""
    elif name == "return":
        visit.plan_submitted_at = None
        visit.return_note = note.strip()
    elif name == "approve":
        adopted = MethodologyVersion.objects.adopted().first()
        if adopted is None:
            raise VisitError(_("No methodology version is adopted: a plan cannot be approved."))
        visit.methodology_version = adopted
    elif name == "cancel":
        visit.cancel_reason = note.strip()
    visit.status = transition.target
    visit.updated_by = user
    visit.revision += 1
    visit.save()
    return visit
