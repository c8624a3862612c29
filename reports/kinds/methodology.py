"""A version of the methodology: its criteria by phase, how it was agreed, what changed."""

from collections import defaultdict

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from visits.methodology.models import (
    ConsultationComment,
    Criterion,
    CriterionComment,
    Endorsement,
    MethodologyVersion,
    Phase,
)
from visits.methodology.workflow import adopted_version, compare_versions

from ..models import ReportJob
from .base import ReportDefinition

TEMPLATE = "reports/methodology.html"
REPORTED = [MethodologyVersion.Status.ADOPTED, MethodologyVersion.Status.SUPERSEDED]


def targets(user):
    """Adopted and superseded versions: every member of the programme may see them."""
    return MethodologyVersion.objects.filter(status__in=REPORTED)


def title(version):
    return _("Methodology of the peer-to-peer visits, version %(number)s") % {
        "number": version.number
    }


def subject(version):
    return _(
        "The criteria and guidelines of the peer-to-peer technical visits, version %(number)s, "
        "as jointly agreed by the partner countries"
    ) % {"number": version.number}


def headings():
    return {
        "version": _("The version"),
        "criteria": _("Criteria by phase"),
        "consultation": _("Consultation of the partner countries"),
        "changes": _("Changes from the previous version"),
        "history": _("Earlier versions"),
    }


def _criteria(version_id):
    return list(
        Criterion.objects.filter(version_id=version_id)
        .select_related("origin_lesson", "origin_finding")
        .order_by("order", "code", "pk")
    )


def criteria_by_phase(criteria):
    """[(phase label, [criteria])] in the order of the phases of a visit."""
    grouped = defaultdict(list)
    for criterion in criteria:
        grouped[criterion.phase].append(criterion)
    return [(label, grouped[value]) for value, label in Phase.choices if grouped[value]] + [
        (value, items) for value, items in grouped.items() if value not in Phase.values
    ]


def context(version):
    version = MethodologyVersion.objects.select_related("previous").get(pk=version.pk)
    criteria = _criteria(version.pk)
    previous_criteria = _criteria(version.previous_id) if version.previous_id else []
    endorsements = list(
        Endorsement.objects.filter(version=version, consultation_round=version.consultation_round)
        .select_related("country", "given_by")
        .prefetch_related(
            Prefetch(
                "criterion_comments",
                queryset=CriterionComment.objects.select_related("criterion"),
            )
        )
    )
    comments = list(
        ConsultationComment.objects.filter(version=version)
        .select_related("author", "criterion")
        .order_by("created_at", "pk")
    )
    earlier = list(
        MethodologyVersion.objects.filter(status__in=REPORTED, number__lt=version.number).order_by(
            "-number"
        )
    )
    changes = compare_versions(version, criteria, previous_criteria)
    order = {"added": 0, "changed": 1, "removed": 2}
    changes.sort(key=lambda c: (order[c.kind], (c.new or c.old).code))
    titles = headings()
    return {
        "version": version,
        "headings": titles,
        "toc": list(titles.items()),
        "criteria_count": len(criteria),
        "phases": criteria_by_phase(criteria),
        "endorsements": endorsements,
        "criterion_comments": [
            (endorsement.country, comment)
            for endorsement in endorsements
            for comment in endorsement.criterion_comments.all()
        ],
        "consultation_comments": comments,
        "changes": [
            {
                "kind": change.kind,
                "label": {"added": _("Added"), "changed": _("Changed"), "removed": _("Removed")}[
                    change.kind
                ],
                "old": change.old,
                "new": change.new,
                "code": (
                    f"{change.old.code} → {change.new.code}"
                    if change.old and change.new and change.old.code != change.new.code
                    else (change.new or change.old).code
                ),
                "title": (change.new or change.old).title,
                "text_diff": change.text_diff() if change.kind == "changed" else None,
            }
            for change in changes
        ],
        "earlier_versions": earlier,
    }


REPORT = ReportDefinition(
    kind=ReportJob.Kind.METHODOLOGY,
    template=TEMPLATE,
    title=title,
    subject=subject,
    context=context,
    targets=targets,
    default_target=adopted_version,
)
