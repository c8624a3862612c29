"""
The life of a visit: draft → submitted → planned → conducted → systematised →
closed, or cancelled; a submitted plan the coordinator returns is "returned" until the host
submits it again. Each transition checks its preconditions and says exactly what is
missing, with a link to the page where it is fixed.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import notices
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
    # An action that cannot be undone is confirmed on a page of its own that says this first.
    consequence: str = ""

    @property
    def needs_confirmation(self):
        return bool(self.consequence)


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            gettext_lazy("Submit the plan for approval"),
            Visit.PLANNING,
            Status.SUBMITTED,
            "visits.submit_visit",
            plan_gaps,
        ),
        Transition(
            "approve",
            gettext_lazy("Approve the plan"),
            (Status.SUBMITTED,),
            Status.PLANNED,
            "visits.approve_visit",
            plan_gaps,
        ),
        Transition(
            "return",
            gettext_lazy("Return the plan"),
            (Status.SUBMITTED,),
            Status.RETURNED,
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
            consequence=gettext_lazy(
                "A closed visit no longer changes: its plan, delegations, agenda, findings, "
                "evaluations and budget stay as they are, and no earlier state can be restored. "
                "Its recommendations are still followed up."
            ),
        ),
        Transition(
            "cancel",
            gettext_lazy("Cancel the visit"),
            (*Visit.PLANNING, Status.SUBMITTED, Status.PLANNED),
            Status.CANCELLED,
            "visits.transition_visit",
            needs_note=True,
            consequence=gettext_lazy(
                "A cancelled visit no longer changes and cannot be planned again: to hold it "
                "later, plan a new visit. Every delegation sees the reason you give."
            ),
        ),
    ]
}


# What a visit's history shows apart from its changes: the why of a step (history_reason).
STEP_NOTES = ("return_note", "cancel_reason", "changes_since_approval")


def history_reason(record, earlier):
    """Why a visit reached the state of a history record, when its status changed there: the
    coordinator's reason for returning, the reason for cancelling, the changes that sent an
    approved plan back."""
    if earlier is not None and earlier.status == record.status:
        return ""
    return {
        Status.RETURNED: record.return_note,
        Status.CANCELLED: record.cancel_reason,
        Status.SUBMITTED: record.changes_since_approval,
    }.get(record.status, "")


def available_transitions(visit, user):
    """[(transition, gaps)] the user may take from the visit's current status."""
    found = []
    for transition in TRANSITIONS.values():
        if visit.status not in transition.sources or not user.has_perm(
            transition.permission, visit
        ):
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
    if transition.needs_note and not note.strip():
        raise VisitError(_("Please give a reason."))
    gaps = transition.gaps(visit) if transition.gaps else []
    if gaps:
        raise VisitError(" ".join([_("Not possible yet:"), *(gap.message for gap in gaps)]))

    if name == "submit":
        visit.plan_submitted_at = timezone.now()
        visit.return_note = ""
    elif name == "return":
        visit.return_note = note.strip()
    elif name == "approve":
        adopted = MethodologyVersion.objects.adopted().first()
        if adopted is None:
            raise VisitError(_("No methodology version is adopted: a plan cannot be approved."))
        visit.methodology_version = adopted
        visit.changes_since_approval = ""
    elif name == "close":
        visit.closed_at = timezone.now()
    elif name == "cancel":
        visit.cancel_reason = note.strip()
    visit.status = transition.target
    visit.updated_by = user
    visit.revision += 1
    visit.save()
    notices.plan_moved(visit, name, user, visit.return_note if name == "return" else "")
    return visit


# --- changes to an approved plan ----------------------------------------------------------------
# The dates, the city, the delegations and the agenda are what the visiting countries plan their
# trip by: changing any of them in an approved plan sends it back to the coordinator, who
# approves it again, and tells every delegation. Once the visit took place, its dates and city
# no longer change (VisitForm refuses it); the agenda stays within the dates (AgendaItem.clean,
# VisitForm).
REAPPROVED_FIELDS = ("start_date", "end_date", "city")


def _shown(value):
    if value in (None, ""):
        return "—"
    return date_format(value, "DATE_FORMAT") if isinstance(value, date) else str(value)


def field_changes(form):
    """The approved plan's fields changed by a visit form, as "field: before → after"."""
    return [
        f"{form.fields[name].label}: {_shown(form.initial.get(name))} → "
        f"{_shown(form.cleaned_data.get(name))}"
        for name in REAPPROVED_FIELDS
        if name in form.changed_data
    ]


def formset_changes(formset, what):
    """What a delegations or agenda formset added, changed and removed, in words."""
    changes = [
        _("%(what)s added: %(row)s") % {"what": what, "row": row} for row in formset.new_objects
    ]
    changes += [
        _("%(what)s changed: %(row)s") % {"what": what, "row": row}
        for row, _fields in formset.changed_objects
    ]
    changes += [
        _("%(what)s removed: %(row)s") % {"what": what, "row": row}
        for row in formset.deleted_objects
    ]
    return changes


@transaction.atomic
def plan_changed(visit, changes, user):
    """After a change to the visit's plan: an approved plan with `changes` goes back to the
    coordinator for approval, showing them. Returns whether it did."""
    if not changes:
        return False
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.status != Status.PLANNED and not (
        visit.status == Status.SUBMITTED and visit.changes_since_approval
    ):
        return False
    earlier = [visit.changes_since_approval] if visit.changes_since_approval else []
    visit.changes_since_approval = "\n".join([*earlier, *changes])
    visit.status = Status.SUBMITTED
    visit.plan_submitted_at = timezone.now()
    visit.updated_by = user
    visit.revision += 1
    visit.save()
    notices.plan_changed(visit, changes, user)
    return True
