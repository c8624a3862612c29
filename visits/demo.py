"""
The fourteen visits the programme reports: three each to Paraguay and Uruguay,
two each to Brazil, Chile, Colombia and Costa Rica. The knowledge-bank entry
gives only their number and hosts, so dates, agendas, findings, evaluations and
budgets are illustrative (and marked so); twelve are closed, one is planned and
one is a draft.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from countries.models import Actor, Country, Person

from . import notices
from .methodology import demo as methodology_demo
from .models import (
    AgendaItem,
    BudgetLine,
    ComplianceCheck,
    Delegation,
    Evaluation,
    Finding,
    MethodologyVersion,
    Participant,
    ThematicFocus,
    Visit,
)

T = ThematicFocus
# host, start, days, city, focus, title, visiting countries, status
VISITS = [
    ("PY", date(2022, 5, 9), 3, "Asunción", T.GOVERNANCE,
     "Building the governance of a national care system", ["UY", "CL", "CR"], "closed"),
    ("UY", date(2022, 8, 22), 3, "Montevideo", T.GOVERNANCE,
     "The National Integrated Care System from the inside", ["PY", "CO", "BR"], "closed"),
    ("CR", date(2022, 11, 14), 2, "San José", T.EARLY_CHILDHOOD,
     "The National Care and Child Development Network", ["CL", "PY", "CO"], "closed"),
    ("CL", date(2023, 3, 20), 3, "Santiago", T.OLDER_PEOPLE,
     "Local care services for older people", ["UY", "CR", "BR"], "closed"),
    ("CO", date(2023, 6, 12), 3, "Bogotá", T.TERRITORIAL,
     "District care blocks: care close to home", ["PY", "CL", "UY"], "closed"),
    ("BR", date(2023, 9, 18), 3, "Brasília", T.CAREGIVERS,
     "Recognising and supporting caregivers", ["UY", "CO", "CR"], "closed"),
    ("PY", date(2023, 11, 6), 2, "Asunción", T.EARLY_CHILDHOOD,
     "Early childhood care centres and their families", ["BR", "CR", "CL"], "closed"),
    ("UY", date(2024, 3, 11), 3, "Montevideo", T.DISABILITY,
     "Personal assistance for people with severe disabilities", ["CL", "CO", "PY"], "closed"),
    ("CR", date(2024, 6, 17), 2, "San José", T.OLDER_PEOPLE,
     "Progressive care networks for older people", ["UY", "BR", "PY"], "closed"),
    ("CL", date(2024, 9, 9), 3, "Valparaíso", T.INFORMATION,
     "A registry of people who need and provide care", ["CO", "CR", "UY"], "closed"),
    ("CO", date(2025, 2, 24), 3, "Medellín", T.CAREGIVERS,
     "Training and certifying caregivers", ["BR", "PY", "CR"], "closed"),
    ("BR", date(2025, 5, 19), 3, "São Paulo", T.FINANCING,
     "Financing care policies across levels of government", ["CL", "UY", "CO"], "closed"),
    ("UY", date(2027, 3, 15), 3, "Montevideo", T.TERRITORIAL,
     "Care in rural territories", ["PY", "BR", "CO"], "planned"),
    ("PY", date(2027, 6, 14), 2, "Encarnación", T.DISABILITY,
     "Community-based care for people with disabilities", ["UY", "CL"], "draft"),
]  # fmt: skip

AGENDA = [
    ("09:00", "10:30", "Opening with the host's authorities", AgendaItem.Kind.MEETING),
    ("11:00", "13:00", "Presentation of the policy and its results", AgendaItem.Kind.PRESENTATION),
    ("14:30", "17:00", "Site visit to a care service", AgendaItem.Kind.SITE_VISIT),
    ("09:00", "12:00", "Exchange with providers and users", AgendaItem.Kind.SITE_VISIT),
    ("14:00", "16:30", "Workshop with academia and civil society", AgendaItem.Kind.WORKSHOP),
    ("09:30", "12:30", "Joint drafting of recommendations", AgendaItem.Kind.WORKSHOP),
]  # fmt: skip

FINDINGS = [
    (Finding.Kind.BEST_PRACTICE, "Services co-designed with their users",
     "The host involves users of the care system and their families in the design and "
     "evaluation of services, which the delegations found transferable."),
    (Finding.Kind.CHALLENGE, "Coordination across levels of government",
     "Local services depend on agreements between national and municipal authorities that "
     "are renewed yearly."),
    (Finding.Kind.RECOMMENDATION, "Multi-year agreements with municipalities",
     "Sign multi-year agreements that secure the funding of local care services."),
    (Finding.Kind.RECOMMENDATION, "Publish the service standards",
     "Publish the quality standards of the services so that other countries can adapt them."),
]  # fmt: skip

FOLLOW_UP = list(Finding.FollowUp.values)  # every status appears at least once
COMPLIANCE = (
    [ComplianceCheck.Status.MET] * 6
    + [ComplianceCheck.Status.PARTLY] * 2
    + [
        ComplianceCheck.Status.NOT_MET,
        ComplianceCheck.Status.NOT_APPLICABLE,
    ]
)

EXTRA_ACTORS = [  # illustrative actors beyond governments, one set per partner country
    ("National university: social sciences", Actor.Kind.ACADEMIA),
    ("Caregivers' association", Actor.Kind.CIVIL_SOCIETY),
    ("Users' council of the care system", Actor.Kind.CARE_USERS),
]


def load():
    """The methodology first (visits follow its adopted version), then the visits."""
    methodology_demo.load()
    load_visits()


def load_visits():
    if Visit.objects.exists():
        return
    User = get_user_model()
    coordinator = User.objects.get(username="coordinator")
    version = MethodologyVersion.objects.get(number=1)
    criteria = list(version.criteria.all())
    countries = {c.code.code: c for c in Country.objects.all()}
    partner_actors = Actor.objects.filter(is_partner=True).select_related("country")
    ministries = {a.country.code.code: a for a in partner_actors}
    people = {}
    for person in Person.objects.select_related("actor__country"):
        people.setdefault(person.actor.country.code.code, []).append(person)
    extra = {
        code: [
            Actor.objects.get_or_create(
                name=name,
                country=countries[code],
                defaults={"kind": kind, "review_note": "Illustrative demo actor."},
            )[0]
            for name, kind in EXTRA_ACTORS
        ]
        for code in ("BR", "CL", "CO", "CR", "PY", "UY")
    }

    recommendation_number = 0
    for number, (host, start, days, city, focus, title, visitors, status) in enumerate(
        VISITS, start=1
    ):
        rng = random.Random(number)
        end = start + timedelta(days=days - 1)
        visit = Visit.objects.create(
            host_country=countries[host],
            title=title,
            objectives=(
                "Agreed by the host and the visiting countries (illustrative): learn how the "
                f"host organises “{title.lower()}”, observe the services at work and leave "
                "recommendations the host can follow up."
            ),
            thematic_focus=focus,
            city=city,
            start_date=start,
            end_date=end,
            status=status,
            is_illustrative=True,
            created_by=coordinator,
            updated_by=coordinator,
            methodology_version=version if status != "draft" else None,
            closed_at=timezone.make_aware(datetime.combine(end + timedelta(days=21), time(17)))
            if status == "closed"
            else None,
            plan_submitted_at=timezone.now() if status != "draft" else None,
        )
        visit.host_actors.set([ministries[host], *extra[host][: 1 + number % 3]])

        host_team = Delegation.objects.create(visit=visit, country=countries[host], is_host=True)
        host_team.actors.set(visit.host_actors.all())
        delegations = [host_team]
        for code in visitors:
            delegation = Delegation.objects.create(visit=visit, country=countries[code])
            delegation.actors.set([ministries[code]])
            delegations.append(delegation)
        participants = []
        for delegation in delegations:
            if status == "draft" and not delegation.is_host:
                continue  # the visiting countries list their participants once asked
            for person in people.get(delegation.country.code.code, []):
                participants.append(
                    Participant.objects.create(
                        delegation=delegation,
                        person=person,
                        role=person.exchange_role,
                        attended=status == "closed" and rng.random() > 0.1 or status != "closed",
                    )
                )

        if status == "draft":
            # The visiting countries are asked for their participants.
            notices.delegations_added(visit, delegations, coordinator)
            continue  # a draft without its agenda yet: the plan lists what is missing

        for index, (start_at, end_at, item_title, kind) in enumerate(AGENDA[: days * 2]):
            AgendaItem.objects.create(
                visit=visit,
                day=start + timedelta(days=index // 2),
                start_time=time.fromisoformat(start_at),
                end_time=time.fromisoformat(end_at),
                title=item_title,
                kind=kind,
                place=city,
                responsible_actor=ministries[host],
            )

        for category, planned in [
            (BudgetLine.Category.TRAVEL, 1800 * len(visitors)),
            (BudgetLine.Category.ACCOMMODATION, 140 * days * len(participants)),
            (BudgetLine.Category.PER_DIEM, 60 * days * len(participants)),
            (BudgetLine.Category.INTERPRETATION, 1500 if "BR" in [host, *visitors] else 0),
        ]:
            if not planned:
                continue
            actual = None
            if status == "closed":
                actual = Decimal(planned) * Decimal(rng.randint(85, 110)) / 100
            BudgetLine.objects.create(
                visit=visit,
                category=category,
                planned=Decimal(planned),
                actual=actual.quantize(Decimal("0.01")) if actual is not None else None,
                currency="USD",
            )

        if status != "closed":
            continue

        for kind, finding_title, text in FINDINGS:
            finding = Finding(
                visit=visit,
                delegation=rng.choice(delegations[1:]),
                kind=kind,
                title=finding_title,
                text=text,
                addressee=ministries[host] if kind == Finding.Kind.RECOMMENDATION else None,
                criterion=rng.choice(criteria),
            )
            if kind == Finding.Kind.RECOMMENDATION:
                finding.follow_up_status = FOLLOW_UP[recommendation_number % len(FOLLOW_UP)]
                recommendation_number += 1
                if finding.follow_up_status != Finding.FollowUp.OPEN:
                    finding.host_response = "Response of the host (illustrative)."
            finding.save()
            notices.recommendation_addressed(finding, coordinator)

        for participant in participants:
            if participant.attended:
                Evaluation.objects.create(
                    participant=participant,
                    preparation=rng.randint(3, 5),
                    relevance=rng.randint(4, 5),
                    exchange_quality=rng.randint(3, 5),
                    use_of_time=rng.randint(2, 5),
                )
        for criterion in criteria:
            ComplianceCheck.objects.create(
                visit=visit, criterion=criterion, status=rng.choice(COMPLIANCE)
            )

    # Recommendations still open well after their visit closed: the hosts are asked to respond.
    notices.ask_for_responses()
