"""The programme overview: every visit that was not cancelled, aggregated over time.

Every number is an aggregate the database computes (grouped by host, year, status…): the
report's cost depends on the number of hosts and years it shows, not on the number of visits.
"""

from collections import Counter, defaultdict

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from countries.models import Country
from visits.figures import yearly_figures
from visits.models import ComplianceCheck, Finding, Participant, Visit

from .. import charts
from ..models import ReportJob
from .base import ReportDefinition

TEMPLATE = "reports/overview.html"
# The statuses of compliance that count for adherence (not applicable does not).
ADHERENCE = [
    ComplianceCheck.Status.MET,
    ComplianceCheck.Status.PARTLY,
    ComplianceCheck.Status.NOT_MET,
]


def title(obj=None):
    return _("Programme overview")


def subject(obj=None):
    return _(
        "The peer-to-peer technical visits of the programme: visits per country, adherence "
        "to the methodology, follow-up of recommendations, costs and people"
    )


def headings():
    return {
        "visits": _("Visits per host country and year"),
        "adherence": _("Adherence to the criteria over time"),
        "follow_up": _("Follow-up of recommendations over time"),
        "costs": _("Costs and person-days"),
        "actors": _("Actors involved, by kind"),
    }


def reported_visits():
    """The visits the overview covers: all but the cancelled ones (drafts and plans too)."""
    return Visit.objects.exclude(status=Visit.Status.CANCELLED)


def _percent(part, whole):
    return round(100 * part / whole) if whole else None


def visits_table(visits):
    """Rows of host × year: ([years], [(country, [count per year], total)], [totals])."""
    rows = (
        visits.values("host_country_id", year=ExtractYear("start_date"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = Counter({(row["host_country_id"], row["year"]): row["n"] for row in rows})
    hosts = Country.objects.in_bulk({country_id for country_id, _year in counts})
    ordered_years = _chronological({year for _country, year in counts})
    table = []
    for country_id, country in sorted(hosts.items(), key=lambda item: str(item[1])):
        per_year = [counts[(country_id, year)] for year in ordered_years]
        table.append((country, per_year, sum(per_year)))
    totals = [sum(counts[(c, year)] for c in hosts) for year in ordered_years]
    return ordered_years, table, totals


def _chronological(years):
    """Years in order, with visits that have no date last."""
    return sorted(years, key=lambda year: (year is None, year or 0))


def _counts_by_year(queryset, field):
    """{year of the visit: Counter of `field`'s values}, from one grouped query."""
    rows = (
        queryset.annotate(year=ExtractYear("visit__start_date"))
        .values("year", field)
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_year = defaultdict(Counter)
    for row in rows:
        by_year[row["year"]][row[field]] += row["n"]
    return by_year


def adherence(visit_ids):
    """[(year, {status: count}, assessed, shares)] from one aggregate query."""
    by_year = _counts_by_year(ComplianceCheck.objects.filter(visit_id__in=visit_ids), "status")
    result = []
    for year in _chronological(by_year):
        counts = by_year[year]
        assessed = sum(counts[s] for s in ADHERENCE)
        result.append(
            {
                "year": year,
                "assessed": assessed,
                "not_applicable": counts[ComplianceCheck.Status.NOT_APPLICABLE],
                "counts": [counts[s] for s in ADHERENCE],
                "shares": [_percent(counts[s], assessed) for s in ADHERENCE],
            }
        )
    return result


def follow_up(visit_ids):
    """[(year, [count per follow-up status], total)] from one aggregate query."""
    recommendations = Finding.objects.filter(
        visit_id__in=visit_ids, kind=Finding.Kind.RECOMMENDATION
    )
    by_year = _counts_by_year(recommendations, "follow_up_status")
    statuses = [value for value, _label in Finding.FollowUp.choices]
    return [
        (year, [by_year[year][s] for s in statuses], sum(by_year[year].values()))
        for year in _chronological(by_year)
    ]


def _year_label(year):
    return str(year) if year is not None else _("No date")


def context(obj=None):
    visits = reported_visits()
    # The aggregates filter on a subquery: no list of ids is sent, whatever the number of visits.
    visit_ids = visits.order_by().values("pk")
    years, host_rows, year_totals = visits_table(visits)
    per_year, figures = yearly_figures(visits)
    figures.visits = sum(year_totals)
    yearly_figures_rows = [(_year_label(year), per_year[year]) for year in years]

    adherence_rows = adherence(visit_ids)
    follow_up_rows = follow_up(visit_ids)
    status_labels = dict(Visit.Status.choices)
    status_counts = Counter(
        dict(
            visits.values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("status", "n")
        )
    )
    follow_up_labels = [label for _value, label in Finding.FollowUp.choices]
    adherence_labels = [dict(ComplianceCheck.Status.choices)[s] for s in ADHERENCE]

    titles = headings()
    return {
        "headings": titles,
        "toc": list(titles.items()),
        "visit_count": figures.visits,
        "status_counts": [
            (label, status_counts[value])
            for value, label in status_labels.items()
            if status_counts[value]
        ],
        "years": [_year_label(year) for year in years],
        "host_rows": host_rows,
        "year_totals": year_totals,
        "hosts_chart": charts.bar_chart(
            "chart-hosts",
            _("Visits per host country"),
            [(str(country), total) for country, _per_year, total in host_rows],
        ),
        "adherence_labels": adherence_labels,
        "adherence_rows": [dict(row, label=_year_label(row["year"])) for row in adherence_rows],
        "adherence_chart": charts.stacked_chart(
            "chart-adherence",
            _("Share of compliance checks met, partly met and not met, per year of the visit"),
            adherence_labels,
            [(_year_label(row["year"]), row["counts"]) for row in adherence_rows],
        ),
        "follow_up_labels": follow_up_labels,
        "follow_up_rows": [
            (_year_label(year), counts, total) for year, counts, total in follow_up_rows
        ],
        "follow_up_chart": charts.stacked_chart(
            "chart-follow-up",
            _("Recommendations by follow-up status, per year of the visit"),
            follow_up_labels,
            [(_year_label(year), counts) for year, counts, _total in follow_up_rows],
        ),
        "yearly_costs": [
            (label, figures_of_year.costs()) for label, figures_of_year in yearly_figures_rows
        ],
        "roles": [label for _value, label in Participant.Role.choices],
        "person_days_rows": [
            (
                label,
                [f.person_days[value] for value, _label in Participant.Role.choices],
                sum(f.person_days.values()),
            )
            for label, f in yearly_figures_rows
        ],
        "figures": figures,
    }


REPORT = ReportDefinition(
    kind=ReportJob.Kind.OVERVIEW,
    template=TEMPLATE,
    title=title,
    subject=subject,
    context=context,
)
