"""
Whose turn it is on a visit: what each party still owes, read from the data (never stored).

The visit's status says what the host or the coordination owes next (submit, approve, mark as
conducted, systematise, close); Delegation.objects.owing() says what each visiting delegation
owes (participants, then findings and evaluations). The visit page, the dashboards' to-do lists
and the notifications all word them from here.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from countries.roles import roles_of

from .models import Delegation, Visit

Status = Visit.Status

# kind → (what the viewer does, when it is theirs; what others read: who still owes it)
WORDING = {
    "submit": (_("Submit the plan for approval."), _("%(who)s has not submitted the plan yet.")),
    "resubmit": (
        _("Revise the returned plan and submit it again."),
        _("%(who)s has not submitted the returned plan again."),
    ),
    "approve": (
        _("Approve or return the submitted plan."),
        _("%(who)s has not approved or returned the plan yet."),
    ),
    "participants": (
        _("List your delegation's participants."),
        _("%(who)s has not listed its participants."),
    ),
    "findings": (
        _("Record your delegation's findings."),
        _("%(who)s has recorded no findings yet."),
    ),
    "evaluations": (
        _("Fill in the evaluations of your participants."),
        _("%(who)s has not filled in the evaluations of its participants."),
    ),
    "conduct": (
        _("Mark the visit as conducted."),
        _("%(who)s has not marked the visit as conducted."),
    ),
    "systematise": (
        _("Systematise the visit."),
        _("%(who)s has not systematised the visit yet."),
    ),
    "close": (_("Close the visit."), _("%(who)s has not closed the visit yet.")),
}

COORDINATION_NAME = _("The coordination")


@dataclass(frozen=True)
class Duty:
    """Something a party owes on a visit: `country_id` None means the coordination."""

    kind: str
    visit: Visit
    country_id: int | None
    country_name: str
    url: str

    def is_for(self, user):
        roles = roles_of(user)
        if self.country_id is None:
            return roles.is_coordinator
        return self.country_id in roles.staff_country_ids

    @property
    def is_step(self):
        """A step of the visit's workflow (its page offers it as a button), rather than a
        delegation's part."""
        return self.kind in STEP_KINDS

    @property
    def task(self):
        """The duty as the one who owes it reads it."""
        return WORDING[self.kind][0]

    @property
    def owed(self):
        """The duty as the others read it."""
        return WORDING[self.kind][1] % {"who": self.country_name or COORDINATION_NAME}


# A visit's status → its next step and who takes it: the host's staff or the coordination.
# A planned visit is marked as conducted once it has ended (workflow.conduct_gaps).
HOST, COORDINATION_PARTY = "host", "coordination"
NEXT_STEP = {
    Status.DRAFT: ("submit", HOST),
    Status.RETURNED: ("resubmit", HOST),
    Status.SUBMITTED: ("approve", COORDINATION_PARTY),
    Status.PLANNED: ("conduct", HOST),
    Status.CONDUCTED: ("systematise", HOST),
    Status.SYSTEMATISED: ("close", COORDINATION_PARTY),
}


STEP_KINDS = {kind for kind, _party in NEXT_STEP.values()}


def awaiting_step_of(party, today):
    """A filter of the visits whose next step is `party`'s."""
    statuses = [status for status, (_kind, who) in NEXT_STEP.items() if who == party]
    waiting = Q(status__in=[s for s in statuses if s != Status.PLANNED])
    if Status.PLANNED in statuses:
        waiting |= Q(status=Status.PLANNED, end_date__lt=today)
    return waiting


def next_step(visit, today):
    """The visit's next step as a Duty, or None (over, or planned and not yet ended)."""
    if visit.status not in NEXT_STEP:
        return None
    if visit.status == Status.PLANNED and not (visit.end_date and visit.end_date < today):
        return None
    kind, party = NEXT_STEP[visit.status]
    who = (visit.host_country_id, str(visit.host_country)) if party == HOST else (None, "")
    return Duty(kind, visit, *who, visit.get_absolute_url() + "#workflow-heading")


def delegation_duties(delegation):
    """The duties of one delegation read through Delegation.objects.owing()."""
    visit = delegation.visit
    country = (delegation.country_id, str(delegation.country))
    duties = []
    if delegation.owes_participants:
        url = reverse("visits:participants", args=[visit.pk, delegation.pk])
        duties.append(Duty("participants", visit, *country, url))
    if delegation.owes_findings:
        url = reverse("visits:finding_create", args=[visit.pk])
        duties.append(Duty("findings", visit, *country, url))
    if delegation.owes_evaluations:
        duties.append(
            Duty("evaluations", visit, *country, visit.get_absolute_url() + "#evaluations")
        )
    return duties


def duties_of(visit):
    """Everything still owed on one visit: the delegations' parts, then the next step (one
    query for the delegations)."""
    duties = []
    owing = (
        Delegation.objects.owing()
        .filter(visit=visit)
        .select_related("country")
        .order_by("country__code")
    )
    for delegation in owing:
        delegation.visit = visit
        duties += delegation_duties(delegation)
    step = next_step(visit, timezone.localdate())
    if step is not None:
        duties.append(step)
    return duties
