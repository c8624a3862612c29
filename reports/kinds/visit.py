"""The systematisation of one visit: what happened, what was found, what it cost."""

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from countries.models import Actor
from lessons.models import Lesson
from visits.figures import figures_of
from visits.models import (
    BudgetLine,
    ComplianceCheck,
    Criterion,
    Delegation,
    Evaluation,
    Finding,
    Participant,
    Visit,
)

from .. import charts
from ..models import ReportJob
from .base import ReportDefinition

TEMPLATE = "reports/visit.html"


def targets(user):
    visits = Visit.objects.all() if user is None else Visit.objects.visible_to(user)
    return visits.select_related("host_country")  # its label names the host


def title(visit):
    return _("Systematisation: %(visit)s") % {"visit": visit.label}


def subject(visit):
    return _("Systematisation of the peer-to-peer technical visit “%(title)s” (%(visit)s)") % {
        "title": visit.title,
        "visit": visit.label,
    }


def _visit(pk):
    """The visit with everything the report shows of it."""
    return (
        Visit.objects.select_related("host_country", "methodology_version")
        .prefetch_related(
            Prefetch("host_actors", queryset=Actor.objects.order_by("name", "pk")),
            "budget_lines",
            Prefetch(
                "delegations",
                queryset=Delegation.objects.select_related("country").prefetch_related(
                    Prefetch("actors", queryset=Actor.objects.order_by("name", "pk")),
                    Prefetch(
                        "participants",
                        queryset=Participant.objects.select_related("person__actor").order_by(
                            "person__name", "pk"
                        ),
                    ),
                ),
            ),
        )
        .get(pk=pk)
    )


def headings():
    return {
        "context": _("Context and objectives"),
        "host": _("Host and dates"),
        "delegations": _("Delegations"),
        "agenda": _("Agenda"),
        "compliance": _("Compliance with the criteria"),
        "best_practices": _("Best practices"),
        "recommendations": _("Recommendations and follow-up"),
        "challenges": _("Challenges"),
        "evaluation": _("Evaluation of the visit"),
        "budget": _("Budget: planned and actual"),
        "person_days": _("Person-days of delegates"),
        "lessons": _("Lessons drawn"),
    }


def compliance_rows(checks, criteria):
    """[(criterion, status label, status, note)]: every criterion of the version, checked or not."""
    by_criterion = {check.criterion_id: check for check in checks}
    rows = []
    seen = set()
    for criterion in criteria:
        check = by_criterion.get(criterion.pk)
        seen.add(criterion.pk)
        if check:
            rows.append((criterion, check.get_status_display(), check.status, check.note))
        else:
            rows.append((criterion, _("Not assessed"), "", ""))
    # Checks against criteria outside the version (should not happen, but are shown).
    rows += [
        (c.criterion, c.get_status_display(), c.status, c.note)
        for c in checks
        if c.criterion_id not in seen
    ]
    return rows


def compliance_chart(checks):
    counts = Counter(check.status for check in checks)
    items = [(label, counts[value]) for value, label in ComplianceCheck.Status.choices]
    return charts.bar_chart(
        "chart-compliance", _("Compliance checks by status (number of criteria)"), items
    )


def evaluation_results(evaluations):
    """[(dimension label, average)] over the evaluations, and the chart on the 1–5 scale."""
    averages = []
    for name in Evaluation.DIMENSIONS:
        label = capfirst(Evaluation._meta.get_field(name).verbose_name)
        values = [getattr(e, name) for e in evaluations]
        average = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1")) if values else None
        averages.append((label, average))
    chart = charts.bar_chart(
        "chart-evaluation",
        _("Average rating per dimension, on a scale from 1 to 5"),
        [(label, average or 0) for label, average in averages],
        max_value=5,
        min_value=1,
        decimals=1,
    )
    return averages, chart


def budget_rows(lines):
    """[(category label, currency, planned, actual or None, difference or None)]."""
    labels = dict(BudgetLine.Category.choices)
    order = {value: i for i, value in enumerate(labels)}
    sums = defaultdict(lambda: [Decimal(0), None])
    for line in lines:
        entry = sums[(line.category, line.currency)]
        entry[0] += line.planned
        if line.actual is not None:
            entry[1] = (entry[1] or Decimal(0)) + line.actual
    rows = []
    for (category, currency), (planned, actual) in sorted(
        sums.items(), key=lambda item: (order.get(item[0][0], 99), item[0][1])
    ):
        difference = actual - planned if actual is not None else None
        rows.append((labels.get(category, category), currency, planned, actual, difference))
    return rows


def context(visit):
    visit = _visit(visit.pk)
    delegations = list(visit.delegations.all())
    agenda = list(
        visit.agenda_items.select_related("responsible_actor").order_by("day", "start_time", "pk")
    )
    findings = list(
        Finding.objects.filter(visit=visit).select_related(
            "delegation__country", "addressee", "criterion"
        )
    )
    checks = list(ComplianceCheck.objects.filter(visit=visit).select_related("criterion"))
    criteria = list(
        Criterion.objects.filter(version_id=visit.methodology_version_id).order_by("order", "code")
    )
    evaluations = list(
        Evaluation.objects.filter(visit=visit)
        .select_related("participant__delegation__country")
        .order_by("participant__delegation__country__code", "participant__person__name", "pk")
    )
    lessons = list(
        Lesson.objects.filter(related_visits=visit, status=Lesson.Status.PUBLISHED)
        .select_related("phase")
        .order_by("title", "pk")
    )

    days = defaultdict(list)
    for item in agenda:
        days[item.day].append(item)

    by_kind = defaultdict(list)
    for finding in findings:
        by_kind[finding.kind].append(finding)
    recommendations = by_kind[Finding.Kind.RECOMMENDATION]
    follow_up = Counter(f.follow_up_status for f in recommendations)

    averages, evaluation_chart = evaluation_results(evaluations)
    figures = figures_of(visit)
    participants = sum(len(d.participants.all()) for d in delegations)
    titles = headings()
    return {
        "visit": visit,
        "headings": titles,
        "toc": list(titles.items()),
        "host_actors": list(visit.host_actors.all()),
        "delegations": delegations,
        "participant_count": participants,
        "agenda_days": sorted(days.items()),
        "compliance_rows": compliance_rows(checks, criteria),
        "compliance_chart": compliance_chart(checks),
        "best_practices": by_kind[Finding.Kind.BEST_PRACTICE],
        "recommendations": recommendations,
        "follow_up_counts": [
            (label, follow_up[value])
            for value, label in Finding.FollowUp.choices
            if follow_up[value]
        ],
        "challenges": by_kind[Finding.Kind.CHALLENGE],
        "evaluation_count": len(evaluations),
        "evaluation_averages": averages,
        "evaluation_chart": evaluation_chart,
        "evaluation_comments": [e for e in evaluations if e.comments.strip()],
        "budget_rows": budget_rows(visit.budget_lines.all()),
        "figures": figures,
        "lessons": lessons,
    }


REPORT = ReportDefinition(
    kind=ReportJob.Kind.VISIT,
    template=TEMPLATE,
    title=title,
    subject=subject,
    context=context,
    targets=targets,
)
