"""
The revision loop: a lesson of the knowledge bank or a finding of a visit proposes a new or
changed criterion for the next version of the methodology.

This is the one module of visits/ that imports from lessons/, the floor above it (see
docs/architecture.md): the loop is where the knowledge bank feeds the methodology back, and
it is kept here, in one place. A coordinator's proposal lands in the draft version at once
(drafted from the adopted one if needed); a focal point's waits as a suggestion.
"""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lessons.models import Lesson

from ..models import Finding, Visit
from .models import Criterion
from .workflow import (
    MethodologyError,
    check_criterion_code,
    draft_new_version,
    lock_versions,
    next_order,
)


def proposal_source(user, lesson_id=None, finding_id=None):
    """The lesson or the finding a proposal is drawn from, if `user` may see it; else None."""
    if lesson_id:
        return Lesson.objects.visible_to(user).filter(pk=lesson_id).first()
    if finding_id:
        return (
            Finding.objects.select_related("visit__host_country")
            .filter(visit__in=Visit.objects.visible_to(user), pk=finding_id)
            .first()
        )
    return None


def with_open_sources(proposals, user):
    """The proposals, each with `source_is_open`: whether the user may see its lesson or its
    finding's visit. Every member reads the suggestions; not every member their sources."""
    proposals = list(proposals)
    for proposal in proposals:
        source = proposal.lesson if proposal.lesson_id else proposal.finding.visit
        proposal.source_is_open = source.is_visible_to(user)
    return proposals


def with_open_origins(criteria, user):
    """The criteria, each with `origin_source` (the lesson or finding that proposed it, if
    any) and `origin_is_open` (whether the user may see it). What a page says of a criterion's
    source is drawn from these, for each reader; no title of it is copied into the criterion."""
    criteria = list(criteria)
    for criterion in criteria:
        source = criterion.origin_lesson or criterion.origin_finding
        criterion.origin_source = source
        if source is None:
            criterion.origin_is_open = False
        else:
            shown = source if criterion.origin_lesson_id else source.visit
            criterion.origin_is_open = shown.is_visible_to(user)
    return criteria


def initial_proposal(source):
    """What a proposal's form starts from: the text of a published lesson, which everybody may
    read; nothing from a finding or a draft, which not every member may see."""
    if isinstance(source, Lesson) and source.is_published:
        return {"title": source.title, "rationale": source.experience or source.description}
    return {}


@transaction.atomic
def apply_proposal(proposal, user):
    """Put a proposal into the draft version (drafted now from the adopted one if needed)."""
    versions = lock_versions()
    consulting = next((v for v in versions.values() if v.in_consultation), None)
    if consulting is not None:
        raise MethodologyError(
            _(
                "Version %(number)s is in consultation: revisions can be added once it is "
                "adopted or returned to draft."
            )
            % {"number": consulting.number}
        )
    draft = next((v for v in versions.values() if v.is_draft), None) or draft_new_version(user)
    criterion = None
    if proposal.revises_id:
        criterion = draft.criteria.filter(
            Q(derived_from_id=proposal.revises_id) | Q(code=proposal.revises.code)
        ).first()
    if criterion is None:
        check_criterion_code(draft, proposal.code)
        criterion = Criterion(
            version=draft, code=proposal.code, order=next_order(draft, proposal.phase)
        )
    else:
        criterion.revision += 1
    criterion.phase = proposal.phase
    criterion.title = proposal.title
    criterion.text = proposal.text
    criterion.rationale = proposal.rationale
    criterion.origin_lesson = proposal.lesson
    criterion.origin_finding = proposal.finding
    criterion.save()
    proposal.status = proposal.Status.ACCEPTED
    proposal.criterion = criterion
    proposal.save()
    return criterion


def propose_revision(proposal, user):
    """Coordinators' proposals land in the draft; focal points' wait as suggestions."""
    proposal.proposed_by = user
    with transaction.atomic():
        proposal.save()
        if user.has_perm("visits.accept_proposal"):
            return apply_proposal(proposal, user)
    return None
