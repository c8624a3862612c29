"""
The figures the programme claims to improve, measured: planned against actual cost,
person-days of political and technical delegates, and how many actors of each kind took part.

Every figure is an aggregate computed by the database over the visits asked for (a queryset):
a fixed number of queries, whatever the number of visits, and no rows loaded to be counted.
The figures of the whole programme are also a summary kept on write (core.summaries), so that
the page of those who see every visit does not aggregate years of visits on every view.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DurationField, F, Q, Sum
from django.db.models.functions import ExtractYear

from core import summaries
from countries.models import Actor, Person
from countries.roles import sees_everything

from .models import BudgetLine, Delegation, Participant, Visit


@dataclass
class Figures:
    planned: dict = field(default_factory=lambda: defaultdict(Decimal))  # currency -> amount
    actual: dict = field(default_factory=lambda: defaultdict(Decimal))
    person_days: Counter = field(default_factory=Counter)  # participant role -> days
    actor_kinds: Counter = field(default_factory=Counter)  # Actor.Kind value -> actors
    visits: int = 0

    def as_json(self):
        return {
            "planned": {currency: str(amount) for currency, amount in self.planned.items()},
            "actual": {currency: str(amount) for currency, amount in self.actual.items()},
            "person_days": dict(self.person_days),
            "actor_kinds": dict(self.actor_kinds),
            "visits": self.visits,
        }

    @classmethod
    def from_json(cls, data):
        figures = cls(
            person_days=Counter(data["person_days"]),
            actor_kinds=Counter(data["actor_kinds"]),
            visits=data["visits"],
        )
        for name in ("planned", "actual"):
            for currency, amount in data[name].items():
                getattr(figures, name)[currency] = Decimal(amount)
        return figures

    def costs(self):
        """[(currency, planned, actual, actual - planned)]"""
        return [
            (c, self.planned[c], self.actual[c], self.actual[c] - self.planned[c])
            for c in sorted(set(self.planned) | set(self.actual))
        ]

    def person_days_by_role(self):
        labels = dict(Participant.Role.choices)
        return [(labels[role], days) for role, days in sorted(self.person_days.items())]

    def actors_by_kind(self):
        labels = dict(Actor.Kind.choices)
        return sorted(
            ((labels[kind], n) for kind, n in self.actor_kinds.items()), key=lambda x: -x[1]
        )


def _ids(visits):
    """The visits as a subquery: the database joins them, no list of ids is sent."""
    if isinstance(visits, Visit):
        visits = Visit.objects.filter(pk=visits.pk)
    return visits.order_by().values("pk")


def yearly_figures(visits):
    """({year of the visit: Figures}, Figures of all): costs and person-days per year; the
    actors, who may take part in several years, counted once each, in all only."""
    ids = _ids(visits)
    per_year = defaultdict(Figures)
    total = Figures()
    budget = (
        BudgetLine.objects.filter(visit__in=ids)
        .values("currency", year=ExtractYear("visit__start_date"))
        .annotate(planned=Sum("planned"), actual=Sum("actual"))
        .order_by()
    )
    for row in budget:
        for figures in (per_year[row["year"]], total):
            figures.planned[row["currency"]] += row["planned"]
            if row["actual"] is not None:
                figures.actual[row["currency"]] += row["actual"]
    # A participant who attended counts the days of the visit: its end minus its start, plus one.
    attendance = (
        Participant.objects.filter(
            visit__in=ids,
            attended=True,
            visit__start_date__isnull=False,
            visit__end_date__isnull=False,
        )
        .values("role", year=ExtractYear("visit__start_date"))
        .annotate(
            people=Count("pk"),
            spans=Sum(F("visit__end_date") - F("visit__start_date"), output_field=DurationField()),
        )
        .order_by()
    )
    for row in attendance:
        days = row["spans"].days + row["people"]
        for figures in (per_year[row["year"]], total):
            figures.person_days[row["role"]] += days
    # Every actor once: hosts, delegations' actors and the participants' institutions.
    hosts = Visit.host_actors.through.objects.filter(visit_id__in=ids).values("actor_id")
    teams = Delegation.actors.through.objects.filter(delegation__visit_id__in=ids).values(
        "actor_id"
    )
    people = Participant.objects.filter(visit_id__in=ids).values("person__actor_id")
    kinds = (
        Actor.objects.filter(Q(pk__in=hosts) | Q(pk__in=teams) | Q(pk__in=people))
        .values("kind")
        .annotate(actors=Count("pk"))
        .order_by()
    )
    total.actor_kinds.update({row["kind"]: row["actors"] for row in kinds})
    return per_year, total


def figures_of(visits):
    """The figures of a queryset of visits, or of one visit."""
    figures = yearly_figures(visits)[1]
    figures.visits = 1 if isinstance(visits, Visit) else visits.count()
    return figures


SUMMARY = "visits.figures"


def figures_of_programme(user):
    """The figures of every visit `user` may see: from the summary for those who see every
    visit, counted live for the others (the visits of their countries)."""
    summary = summaries.current(SUMMARY) if sees_everything(user) else None
    if summary is None:
        return figures_of(Visit.objects.visible_to(user))
    return Figures.from_json(summary.data)


# Writes that change a figure: the visits, their budgets and participants, the actors taking
# part and their kinds; deleting a delegation removes its actors' rows, which send no signal.
summaries.register(
    SUMMARY,
    lambda: figures_of(Visit.objects.all()).as_json(),
    watermark=lambda: summaries.highest(
        (Visit, "id"), (Visit, "updated_at"), (BudgetLine, "id"), (Participant, "id")
    ),
    saved=(Visit, BudgetLine, Participant, Person, Actor),
    deleted=(Visit, BudgetLine, Delegation, Participant, Person, Actor),
    many_to_many=(Visit.host_actors.through, Delegation.actors.through),
)
