"""
Generated programme data at realistic scale, on top of the demo's countries, actors, people
and methodology: one big visit (the one whose pages are measured), hundreds or thousands of
ordinary visits, many lessons. Rows are written in bulk, a batch of visits at a time, so that
ten times the bench scale (5,000 visits, 50,000 lessons) is generated in minutes.
"""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max

from countries.models import Actor, Country, Membership, Person
from lessons import search
from lessons.models import SDG, AddedValue, Lesson, Phase
from visits.methodology import workflow
from visits.methodology.models import Endorsement, MethodologyVersion
from visits.models import (
    AgendaItem,
    BudgetLine,
    ComplianceCheck,
    Delegation,
    Evaluation,
    Finding,
    Participant,
    Visit,
)

PARTNERS = ["BR", "CL", "CO", "CR", "PY", "UY"]
WORDS = (
    "cuidados articulación territorial corresponsabilidad cuidadoras formación calidad "
    "cobertura municipios financiamiento registro servicios evaluación participación "
    "accesibilidad información protección dependencia infancia personas mayores"
).split()
# The word of the lesson search that matches few lessons (see make_lessons).
RARE_WORD = "sociocomunitaria"
BATCH = 250
KNOWLEDGE_TYPES = ["lessons_learnt", "good_practices", "success_stories"]


def _text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


class _World:
    """What every generated visit draws on, read once."""

    def __init__(self):
        self.coordinator = get_user_model().objects.get(username="coordinator")
        self.version = MethodologyVersion.objects.adopted().first()
        self.criteria = list(self.version.criteria.all()) if self.version else []
        self.countries = {c.code.code: c for c in Country.objects.filter(code__in=PARTNERS)}
        partners = Actor.objects.filter(is_partner=True, country__code__in=PARTNERS)
        self.actors = {a.country.code.code: a for a in partners.select_related("country")}
        self.people = {code: [] for code in PARTNERS}
        for person in Person.objects.filter(actor__in=self.actors.values()).select_related(
            "actor__country"
        ):
            self.people[person.actor.country.code.code].append(person)

    def people_of(self, code, count, rng):
        """`count` people of the country's partner actor (created the first time)."""
        missing = count - len(self.people[code])
        if missing > 0:
            self.people[code] += Person.objects.bulk_create(
                Person(
                    name=f"{rng.choice(['Ana', 'José', 'Iñaki', 'Conceição', 'Ñusta'])} "
                    f"{rng.choice(['Núñez', 'Gonçalves', 'Pérez', 'Araújo'])} {code} "
                    f"{len(self.people[code]) + n}",
                    position="Técnica de cuidados",
                    actor=self.actors[code],
                    exchange_role=rng.choice(list(Person.ExchangeRole)),
                )
                for n in range(missing)
            )
        return rng.sample(self.people[code], count)


def _specs(numbers, **shape):
    return [{"number": number, **shape} for number in numbers]


def make_visits(count, first_number=1000, **shape):
    """`count` ordinary visits spread over hosts and years (for lists, figures, the overview):
    3 delegations, 8 participants, 6 findings, 6 evaluations and 2 days of agenda each."""
    shape = {
        "delegations": 3,
        "participants": 8,
        "findings": 6,
        "evaluations": 6,
        "agenda_days": 2,
        **shape,
    }
    numbers = range(first_number, first_number + count)
    world = _World()
    made = []
    for start in range(0, count, BATCH):
        with transaction.atomic():
            made += _bulk_visits(world, _specs(numbers[start : start + BATCH], **shape))
    return made


def make_visit(number, *, host="PY", **shape):
    """One big visit: 6 delegations, 40 participants, 30 findings, 40 evaluations, 3 days."""
    shape = {
        "delegations": 6,
        "participants": 40,
        "findings": 30,
        "evaluations": 40,
        "agenda_days": 3,
        **shape,
    }
    with transaction.atomic():
        (visit,) = _bulk_visits(_World(), [{"number": number, "host": host, **shape}])
    return visit


def _bulk_visits(world, specs):
    """Visits and everything recorded about them, written table by table."""
    rngs = {spec["number"]: random.Random(spec["number"]) for spec in specs}
    next_sequence = dict(
        Visit.objects.values("host_country_id")
        .annotate(last=Max("sequence"))
        .values_list("host_country_id", "last")
    )
    visits = []
    for spec in specs:
        number, rng = spec["number"], rngs[spec["number"]]
        host = spec.get("host") or PARTNERS[number % len(PARTNERS)]
        country = world.countries[host]
        next_sequence[country.pk] = next_sequence.get(country.pk, 0) + 1
        start = date(2019 + number % 7, 1 + number % 12, 1 + number % 27)
        spec["host"], spec["start"] = host, start
        visits.append(
            Visit(
                host_country=country,
                sequence=next_sequence[country.pk],
                title=f"Visita {number}: {_text(rng, 6)}",
                objectives=_text(rng, 60),
                city="Asunción",
                start_date=start,
                end_date=start + timedelta(days=spec["agenda_days"] - 1),
                status=Visit.Status.CLOSED,
                methodology_version=world.version,
                plan_submitted_at=None,
                created_by=world.coordinator,
                updated_by=world.coordinator,
            )
        )
    visits = Visit.objects.bulk_create(visits)
    Visit.host_actors.through.objects.bulk_create(
        Visit.host_actors.through(visit=visit, actor=world.actors[spec["host"]])
        for visit, spec in zip(visits, specs, strict=True)
    )

    delegations, teams_of = [], {}
    for visit, spec in zip(visits, specs, strict=True):
        visitors = [c for c in PARTNERS if c != spec["host"]][: spec["delegations"] - 1]
        teams = [Delegation(visit=visit, country=world.countries[spec["host"]], is_host=True)]
        teams += [Delegation(visit=visit, country=world.countries[c]) for c in visitors]
        teams_of[visit.pk] = teams
        delegations += teams
    Delegation.objects.bulk_create(delegations)
    Delegation.actors.through.objects.bulk_create(
        Delegation.actors.through(delegation=team, actor=world.actors[team.country.code.code])
        for team in delegations
    )

    participants, agenda, findings, budget, checks = [], [], [], [], []
    people_of_visit = {}
    for visit, spec in zip(visits, specs, strict=True):
        rng, teams = rngs[spec["number"]], teams_of[visit.pk]
        people_of_visit[visit.pk] = []
        for index, team in enumerate(teams):
            count = spec["participants"] // len(teams)
            count += 1 if index < spec["participants"] % len(teams) else 0
            for person in world.people_of(team.country.code.code, count, rng):
                participant = Participant(
                    delegation=team, visit=visit, person=person, role=person.exchange_role
                )
                participants.append(participant)
                people_of_visit[visit.pk].append(participant)
        for n in range(spec["agenda_days"] * 4):
            agenda.append(
                AgendaItem(
                    visit=visit,
                    day=spec["start"] + timedelta(days=n // 4),
                    start_time=time(9 + 2 * (n % 4)),
                    end_time=time(10 + 2 * (n % 4)),
                    title=_text(rng, 5),
                    kind=rng.choice(list(AgendaItem.Kind)),
                    place="Asunción",
                    notes=_text(rng, 20),
                )
            )
        kinds = list(Finding.Kind)
        for n in range(spec["findings"]):
            kind = kinds[n % len(kinds)]
            recommendation = kind == Finding.Kind.RECOMMENDATION
            findings.append(
                Finding(
                    visit=visit,
                    delegation=rng.choice(teams[1:] or teams),
                    kind=kind,
                    title=_text(rng, 6),
                    text=_text(rng, 80),
                    criterion=rng.choice(world.criteria) if world.criteria else None,
                    follow_up_status=rng.choice(list(Finding.FollowUp)) if recommendation else "",
                    host_response=_text(rng, 25) if recommendation else "",
                )
            )
        for category in BudgetLine.Category:
            planned = Decimal(rng.randint(500, 9000))
            budget.append(
                BudgetLine(
                    visit=visit,
                    category=category,
                    planned=planned,
                    actual=(planned * Decimal(rng.randint(80, 115)) / 100).quantize(
                        Decimal("0.01")
                    ),
                    currency="USD",
                )
            )
        checks += [
            ComplianceCheck(
                visit=visit,
                criterion=criterion,
                status=rng.choice(list(ComplianceCheck.Status)),
                note=_text(rng, 12),
            )
            for criterion in world.criteria
        ]
    Participant.objects.bulk_create(participants)
    AgendaItem.objects.bulk_create(agenda)
    Finding.objects.bulk_create(findings)
    BudgetLine.objects.bulk_create(budget)
    ComplianceCheck.objects.bulk_create(checks)
    evaluations = []
    for visit, spec in zip(visits, specs, strict=True):
        rng = rngs[spec["number"]]
        for participant in people_of_visit[visit.pk][: spec["evaluations"]]:
            evaluations.append(
                Evaluation(
                    participant=participant,
                    visit=visit,
                    preparation=rng.randint(2, 5),
                    relevance=rng.randint(3, 5),
                    exchange_quality=rng.randint(2, 5),
                    use_of_time=rng.randint(1, 5),
                    comments=_text(rng, 25),
                )
            )
    Evaluation.objects.bulk_create(evaluations)
    return visits


def make_actors(total):
    """Actors up to `total`, of every kind, in the partner countries."""
    countries = list(Country.objects.filter(code__in=PARTNERS).order_by("code"))
    kinds = list(Actor.Kind)
    first = Actor.objects.count()
    Actor.objects.bulk_create(
        Actor(
            name=f"Red de cuidados {n}",
            kind=kinds[n % len(kinds)],
            country=countries[n % len(countries)],
        )
        for n in range(first, max(first, total))
    )


def make_versions(total):
    """Methodology versions up to `total`: each consulted, agreed by every partner, adopted."""
    coordinator = get_user_model().objects.get(username="coordinator")
    while MethodologyVersion.objects.count() < total:
        with transaction.atomic():
            current = MethodologyVersion.objects.in_progress().first()
            if current is None:
                workflow.draft_new_version(coordinator)
                continue
            if current.status == MethodologyVersion.Status.DRAFT:
                workflow.open_consultation(current, coordinator, date.today() + timedelta(days=14))
                current.refresh_from_db()
            answers = {e.country_id: e for e in current.current_endorsements()}
            for country in Country.objects.partners():
                focal = Membership.objects.get(is_focal_point=True, actor__country=country).user
                previous = answers.get(country.pk)
                workflow.answer_consultation(
                    current, country, focal, Endorsement.Answer.AGREE,
                    expected_revision=previous.revision if previous else 0,
                )  # fmt: skip
            workflow.adopt(current, coordinator)


def make_lessons(total):
    """Published lessons up to `total`, indexed for search, in three languages, each with a
    phase, an actor, one or two partner countries, SDGs and an added value. Every lesson
    mentions "cuidados" (the search that matches almost all); five lessons the rare word (the
    search with few matches, as many at every scale)."""
    rng = random.Random(7)
    phases = list(Phase.objects.all()) or [None]
    actors = list(Actor.objects.order_by("pk")[:60])
    countries = list(Country.objects.filter(code__in=PARTNERS).order_by("code"))
    sdgs = list(SDG.objects.filter(number__in=[1, 3, 5, 10, 17]).order_by("number"))
    values = list(AddedValue.objects.order_by("number"))
    rare = RARE_WORD.capitalize()
    rare_left = max(0, 5 - Lesson.objects.filter(description__contains=rare).count())
    first = Lesson.objects.count()
    for start in range(first, max(first, total), 5000):
        with transaction.atomic():
            lessons = Lesson.objects.bulk_create(
                Lesson(
                    title=f"Lección {n}: {_text(rng, 6)}",
                    knowledge_type=rng.choice(
                        ["lessons_learnt", "good_practices", "success_stories"]
                    ),
                    phase=phases[n % len(phases)],
                    language=["es", "pt", "en"][n % 3],
                    description=f"Cuidados. {_text(rng, 120)}"
                    + (f" {rare}." if n - first < rare_left else ""),
                    experience=_text(rng, 80),
                    impacts=[_text(rng, 8) for _ in range(3)],
                    keywords=[rng.choice(WORDS) for _ in range(3)],
                    status=Lesson.Status.PUBLISHED,
                )
                for n in range(start, min(start + 5000, total))
            )
            relations = {
                Lesson.actors.through: lambda n: [{"actor": actors[n % len(actors)]}],
                Lesson.countries.through: lambda n: [
                    {"country": countries[(n + k) % len(countries)]} for k in range(1 + n % 2)
                ],
                Lesson.sdgs.through: lambda n: [
                    {"sdg": sdgs[(n + k) % len(sdgs)]} for k in range(1 + n % 2)
                ],
                Lesson.added_values.through: lambda n: [
                    {"addedvalue": values[n % len(values)]}
                ] if values else [],
            }  # fmt: skip
            for through, rows in relations.items():
                through.objects.bulk_create(
                    through(lesson=lesson, **row)
                    for n, lesson in enumerate(lessons)
                    for row in rows(n)
                )
            search.index(Lesson.objects.filter(pk__in=[lesson.pk for lesson in lessons]))
