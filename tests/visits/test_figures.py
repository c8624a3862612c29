"""The programme's figures are aggregates the database computes: they give the same numbers
as counting every visit's rows one by one (the first stage's way, kept here as the reference)
on the demo data, for each visit and for the whole programme, per year too; and their queries
do not grow with the visits."""

from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from core import summaries
from reports.kinds import overview
from visits import figures as programme
from visits.figures import figures_of, figures_of_programme, yearly_figures
from visits.models import BudgetLine, Participant, Visit


def counted_one_by_one(visits):
    """Costs, person-days and actor kinds, from every row of every visit (the reference)."""
    planned, actual = defaultdict(Decimal), defaultdict(Decimal)
    person_days, actors = Counter(), {}
    for visit in visits:
        for line in visit.budget_lines.all():
            planned[line.currency] += line.planned
            if line.actual is not None:
                actual[line.currency] += line.actual
        actors.update((a.pk, a) for a in visit.host_actors.all())
        for delegation in visit.delegations.all():
            actors.update((a.pk, a) for a in delegation.actors.all())
            for participant in delegation.participants.all():
                actors[participant.person.actor_id] = participant.person.actor
                if participant.attended and visit.duration_days:
                    person_days[participant.role] += visit.duration_days
    return dict(planned), dict(actual), person_days, Counter(a.kind for a in actors.values())


def numbers(figures):
    return (
        {c: v for c, v in figures.planned.items() if v},
        {c: v for c, v in figures.actual.items() if v},
        +figures.person_days,
        +figures.actor_kinds,
    )


def test_each_visit_has_the_figures_of_its_rows(demo_visits):
    visits = list(Visit.objects.all())
    assert len(visits) == 14
    for visit in visits:
        expected = counted_one_by_one([visit])
        assert numbers(figures_of(visit)) == expected, visit
        assert figures_of(visit).visits == 1


def test_the_programme_has_the_figures_of_all_its_rows(demo_visits):
    visits = Visit.objects.all()
    figures = figures_of(visits)
    assert numbers(figures) == counted_one_by_one(visits)
    assert figures.visits == 14
    assert sum(figures.person_days.values()) > 0 and figures.costs()


def test_the_programme_page_reads_its_summary_with_the_same_numbers(
    demo_visits, projectteam, staff_py, client, django_capture_on_commit_callbacks
):
    visits = Visit.objects.all()
    summaries.refresh(programme.SUMMARY)  # as at the demo's commit
    assert summaries.current(programme.SUMMARY) is not None
    assert figures_of_programme(projectteam) == figures_of(visits)
    assert numbers(figures_of_programme(projectteam)) == counted_one_by_one(visits)
    client.force_login(projectteam)
    assert client.get("/visits/figures/").context["figures"] == figures_of(visits)

    # A budget line, at its commit: counted again.
    with django_capture_on_commit_callbacks(execute=True):
        BudgetLine.objects.create(
            visit=visits.first(), category="travel", planned=Decimal("1000"), currency="EUR"
        )
    assert summaries.current(programme.SUMMARY) is not None
    assert numbers(figures_of_programme(projectteam)) == counted_one_by_one(visits)

    # Rows written without signals move the watermark: counted live until the next refresh.
    Participant.objects.bulk_create([Participant(
        visit=visits.first(),
        delegation=visits.first().delegations.first(),
        person=Participant.objects.first().person,
        role=Participant.objects.first().role,
    )])  # fmt: skip
    assert summaries.current(programme.SUMMARY) is None
    assert figures_of_programme(projectteam) == figures_of(visits)

    # Staff see the figures of their countries' visits, counted live.
    assert figures_of_programme(staff_py) == figures_of(Visit.objects.visible_to(staff_py))
    assert figures_of_programme(staff_py).visits < visits.count()


def test_each_year_has_the_figures_of_its_visits(demo_visits):
    per_year, total = yearly_figures(Visit.objects.all())
    years = {v.start_date.year if v.start_date else None for v in Visit.objects.all()}
    assert set(per_year) <= years
    for year in years:
        of_year = [v for v in Visit.objects.all() if (v.start_date and v.start_date.year) == year]
        planned, actual, person_days, _kinds = counted_one_by_one(of_year)
        assert numbers(per_year[year])[:3] == (planned, actual, person_days), year
    assert numbers(total) == counted_one_by_one(Visit.objects.all())


def test_the_overview_counts_visits_by_host_year_and_status(demo_visits):
    visits = list(overview.reported_visits())
    years, rows, totals = overview.visits_table(overview.reported_visits())
    expected = Counter((v.host_country_id, v.start_date and v.start_date.year) for v in visits)
    for country, per_year, total in rows:
        assert per_year == [expected[(country.pk, year)] for year in years]
        assert total == sum(expected[(country.pk, year)] for year in years)
    assert sum(totals) == len(visits) == 14
    context = overview.context()
    assert context["visit_count"] == 14
    by_status = Counter(v.status for v in visits)
    assert context["status_counts"] == [
        (label, by_status[status]) for status, label in Visit.Status.choices if by_status[status]
    ]


@pytest.mark.parametrize("more", [10, 60])
def test_the_figures_take_the_same_queries_whatever_the_visits(
    demo_visits, django_assert_num_queries, more
):
    for n in range(more):
        Visit.objects.create(host_country=Visit.objects.first().host_country, title=f"More {n}")
    with django_assert_num_queries(4):  # costs, person-days, actors, the number of visits
        figures_of(Visit.objects.all())
