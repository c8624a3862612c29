"""
The figures the programme claims to improve, measured: planned against actual
cost, person-days of political and technical delegates, and how many actors of
each kind took part.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from countries.models import Actor

from .models import Delegation, Participant, Visit


@dataclass
class Figures:
    planned: dict = field(default_factory=lambda: defaultdict(Decimal))  # currency -> amount
    actual: dict = field(default_factory=lambda: defaultdict(Decimal))
    person_days: Counter = field(default_factory=Counter)  # participant role -> days
    actor_kinds: Counter = field(default_factory=Counter)  # Actor.Kind label -> actors
    visits: int = 0

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


def with_figures_data(visits):
    """Prefetch what figures_of needs, in a fixed number of queries."""
    return visits.prefetch_related(
        "budget_lines",
        "host_actors",
        Prefetch(
            "delegations",
            queryset=Delegation.objects.prefetch_related(
                "actors",
                Prefetch(
                    "participants", queryset=Participant.objects.select_related("person__actor")
                ),
            ),
        ),
    )


def figures_of(visits):
    """Figures of one visit or of many (prefetched with with_figures_data)."""
    if isinstance(visits, Visit):
        visits = [visits]
    figures = Figures()
    actors = {}  # every actor once, however many visits it took part in
    for visit in visits:
        figures.visits += 1
        for line in visit.budget_lines.all():
            figures.planned[line.currency] += line.planned
            if line.actual is not None:
                figures.actual[line.currency] += line.actual
        actors.update((a.pk, a) for a in visit.host_actors.all())
        for delegation in visit.delegations.all():
            actors.update((a.pk, a) for a in delegation.actors.all())
            for participant in delegation.participants.all():
                actors[participant.person.actor_id] = participant.person.actor
                if participant.attended and visit.duration_days:
                    figures.person_days[participant.role] += visit.duration_days
    figures.actor_kinds.update(actor.kind for actor in actors.values())
    return figures
