"""
Generated programme data at realistic scale, on top of the demo's countries,
actors, people and methodology: big visits, hundreds of visits, many lessons.
"""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from countries.models import Actor, Country, Person
from visits.methodology.models import MethodologyVersion
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


def _text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _people(country, actor, count, rng):
    """`count` people of `actor`, reused between visits (created the first time)."""
    people = list(Person.objects.filter(actor=actor).order_by("pk")[:count])
    for n in range(len(people), count):
        people.append(
            Person.objects.create(
                name=f"{rng.choice(['Ana', 'José', 'Iñaki', 'Conceição', 'Ñusta'])} "
                f"{rng.choice(['Núñez', 'Gonçalves', 'Pérez', 'Araújo'])} {country.code} {n}",
                position="Técnica de cuidados",
                actor=actor,
                exchange_role=rng.choice(list(Person.ExchangeRole)),
            )
        )
    return people


def make_visit(
    number,
    *,
    delegations=6,
    participants=40,
    findings=30,
    evaluations=40,
    agenda_days=3,
    status=Visit.Status.CLOSED,
    start=None,
):
    """A closed visit with its delegations, people, agenda, findings, evaluations and budget."""
    rng = random.Random(number)
    coordinator = get_user_model().objects.get(username="coordinator")
    version = MethodologyVersion.objects.adopted().first()
    criteria = list(version.criteria.all()) if version else []
    countries = {c.code.code: c for c in Country.objects.filter(code__in=PARTNERS)}
    partners = Actor.objects.filter(is_partner=True).select_related("country")
    actors = {a.country.code.code: a for a in partners}
    host_code = PARTNERS[number % len(PARTNERS)]
    visitors = [c for c in PARTNERS if c != host_code][: delegations - 1]
    start = start or date(2019 + number % 7, 1 + number % 12, 1 + number % 27)
    days = agenda_days
    visit = Visit.objects.create(
        host_country=countries[host_code],
        title=f"Visita {number}: {_text(rng, 6)}",
        objectives=_text(rng, 60),
        city="Asunción",
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        status=status,
        methodology_version=version,
        created_by=coordinator,
        updated_by=coordinator,
    )
    visit.host_actors.set([actors[host_code]])
    teams = [Delegation.objects.create(visit=visit, country=countries[host_code], is_host=True)]
    teams += [Delegation.objects.create(visit=visit, country=countries[c]) for c in visitors]
    people_in = []
    for index, team in enumerate(teams):
        team.actors.set([actors[team.country.code.code]])
        share = participants // len(teams) + (1 if index < participants % len(teams) else 0)
        for person in _people(team.country, actors[team.country.code.code], share, rng):
            people_in.append(
                Participant.objects.create(
                    delegation=team, person=person, role=person.exchange_role, attended=True
                )
            )
    for n in range(days * 4):
        AgendaItem.objects.create(
            visit=visit,
            day=start + timedelta(days=n // 4),
            start_time=time(9 + 2 * (n % 4)),
            end_time=time(10 + 2 * (n % 4)),
            title=_text(rng, 5),
            kind=rng.choice(list(AgendaItem.Kind)),
            place="Asunción",
            notes=_text(rng, 20),
        )
    kinds = list(Finding.Kind)
    for n in range(findings):
        kind = kinds[n % len(kinds)]
        finding = Finding(
            visit=visit,
            delegation=rng.choice(teams[1:] or teams),
            kind=kind,
            title=_text(rng, 6),
            text=_text(rng, 80),
            criterion=rng.choice(criteria) if criteria else None,
        )
        if kind == Finding.Kind.RECOMMENDATION:
            finding.follow_up_status = rng.choice(list(Finding.FollowUp))
            finding.host_response = _text(rng, 25)
        finding.save()
    for participant in people_in[:evaluations]:
        Evaluation.objects.create(
            participant=participant,
            preparation=rng.randint(2, 5),
            relevance=rng.randint(3, 5),
            exchange_quality=rng.randint(2, 5),
            use_of_time=rng.randint(1, 5),
            comments=_text(rng, 25),
        )
    for category in BudgetLine.Category:
        planned = Decimal(rng.randint(500, 9000))
        BudgetLine.objects.create(
            visit=visit,
            category=category,
            planned=planned,
            actual=(planned * Decimal(rng.randint(80, 115)) / 100).quantize(Decimal("0.01")),
            currency="USD",
        )
    ComplianceCheck.objects.bulk_create(
        ComplianceCheck(
            visit=visit,
            criterion=criterion,
            status=rng.choice(list(ComplianceCheck.Status)),
            note=_text(rng, 12),
        )
        for criterion in criteria
    )
    return visit


def make_visits(count, first_number=1000):
    """`count` smaller visits, spread over hosts and years (for lists and the overview)."""
    return [
        make_visit(
            first_number + n,
            delegations=3,
            participants=8,
            findings=6,
            evaluations=6,
            agenda_days=2,
        )
        for n in range(count)
    ]


def make_actors(total):
    """Actors up to `total`, of every kind, in the partner countries."""
    countries = list(Country.objects.filter(code__in=PARTNERS).order_by("code"))
    kinds = list(Actor.Kind)
    missing = total - Actor.objects.count()
    Actor.objects.bulk_create(
        Actor(
            name=f"Red de cuidados {n}",
            kind=kinds[n % len(kinds)],
            country=countries[n % len(countries)],
        )
        for n in range(max(0, missing))
    )


def make_versions(total):
    """Methodology versions up to `total`: each consulted, agreed by every partner, adopted."""
    from django.db import transaction

    from countries.models import Membership
    from visits.methodology import workflow as services
    from visits.methodology.models import Endorsement

    coordinator = get_user_model().objects.get(username="coordinator")
    while MethodologyVersion.objects.count() < total:
        with transaction.atomic():
            current = MethodologyVersion.objects.in_progress().first()
            if current is None:
                services.draft_new_version(coordinator)
                continue
            if current.status == MethodologyVersion.Status.DRAFT:
                services.open_consultation(current, coordinator, date.today() + timedelta(days=14))
                current.refresh_from_db()
            answers = {e.country_id: e for e in current.current_endorsements()}
            for country in Country.objects.partners():
                focal = Membership.objects.get(is_focal_point=True, actor__country=country).user
                previous = answers.get(country.pk)
                services.answer_consultation(
                    current, country, focal, Endorsement.Answer.AGREE,
                    expected_revision=previous.revision if previous else 0,
                )  # fmt: skip
            services.adopt(current, coordinator)


def make_lessons(total):
    """Published lessons up to `total`, indexed for search, in three languages."""
    from lessons import search
    from lessons.models import Lesson, Phase

    rng = random.Random(7)
    phases = list(Phase.objects.all()) or [None]
    missing = total - Lesson.objects.count()
    lessons = Lesson.objects.bulk_create(
        Lesson(
            title=f"Lección {n}: {_text(rng, 6)}",
            knowledge_type=rng.choice(list(Lesson._meta.get_field("knowledge_type").choices))[0],
            phase=phases[n % len(phases)],
            language=["es", "pt", "en"][n % 3],
            description=_text(rng, 120),
            experience=_text(rng, 80),
            impacts=[_text(rng, 8) for _ in range(3)],
            keywords=[rng.choice(WORDS) for _ in range(3)],
            status=Lesson.Status.PUBLISHED,
        )
        for n in range(max(0, missing))
    )
    search.index(Lesson.objects.filter(pk__in=[lesson.pk for lesson in lessons]))
