"""The visit list (filters, pagination), localised pages, the programme's figures and the
number of queries of the list and of the visit page, whatever the number of visits,
delegations, participants and findings."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import cycle

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from countries.models import Actor, Country, Person
from tests.support.html import find, text
from visits.methodology.models import MethodologyVersion
from visits.models import (
    AgendaItem,
    Attachment,
    BudgetLine,
    ComplianceCheck,
    Delegation,
    Evaluation,
    Finding,
    Participant,
    ThematicFocus,
    Visit,
)

LIST = reverse("visits:visit_list")
FIGURES = reverse("visits:programme_figures")


def country(code):
    return Country.objects.get(code=code)


def ministry(code):
    return Actor.objects.filter(country__code=code, is_partner=True).get()


def person(name):
    return Person.objects.get(name=name)


def new_visit(host, title, start=None, days=3, guests=(), **fields):
    end = start + timedelta(days=days - 1) if start else None
    visit = Visit.objects.create(
        host_country=country(host), title=title, start_date=start, end_date=end, **fields
    )
    Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    for code in guests:
        Delegation.objects.create(visit=visit, country=country(code))
    return visit


def titles(response):
    return [visit.title for visit in response.context["visits"]]


# --- filters -----------------------------------------------------------------------------------


@pytest.fixture
def four_visits(demo):
    Status, Focus = Visit.Status, ThematicFocus
    new_visit(
        "PY",
        "Governance in Asunción",
        date(2022, 5, 9),
        guests=["UY"],
        thematic_focus=Focus.GOVERNANCE,
        status=Status.CLOSED,
    )
    new_visit(
        "UY",
        "Early childhood in Montevideo",
        date(2023, 8, 22),
        guests=["PY", "BR"],
        thematic_focus=Focus.EARLY_CHILDHOOD,
        status=Status.PLANNED,
    )
    new_visit(
        "BR",
        "Governance in Brasília",
        date(2023, 11, 6),
        guests=["CL"],
        thematic_focus=Focus.GOVERNANCE,
    )
    new_visit("PY", "Disability in Encarnación", thematic_focus=Focus.DISABILITY)  # fmt: skip


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, {"Governance in Asunción", "Early childhood in Montevideo",
              "Governance in Brasília", "Disability in Encarnación"}),
        ({"host_country": "PY"}, {"Governance in Asunción", "Disability in Encarnación"}),
        # Paraguay hosts two visits but visits only Uruguay: its host team is no visit.
        ({"visiting_country": "PY"}, {"Early childhood in Montevideo"}),
        ({"visiting_country": "UY"}, {"Governance in Asunción"}),
        ({"visiting_country": "CR"}, set()),
        ({"status": "draft"}, {"Governance in Brasília", "Disability in Encarnación"}),
        ({"status": "closed"}, {"Governance in Asunción"}),
        ({"year": "2023"}, {"Early childhood in Montevideo", "Governance in Brasília"}),
        ({"thematic_focus": "governance"}, {"Governance in Asunción", "Governance in Brasília"}),
        ({"host_country": "PY", "status": "closed"}, {"Governance in Asunción"}),
        ({"year": "2023", "visiting_country": "BR"}, {"Early childhood in Montevideo"}),
    ],
)  # fmt: skip
def test_list_filters(client, four_visits, coordinator, filters, expected):
    ids = {"host_country", "visiting_country"}
    query = {k: country(v).pk if k in ids else v for k, v in filters.items()}
    client.force_login(coordinator)
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert set(titles(response)) == expected
    if not expected:
        assert "No visits match these filters." in text(response)


def test_list_is_in_order_of_dates_latest_first(client, four_visits, coordinator):
    client.force_login(coordinator)
    listed = titles(client.get(LIST))
    dated = [title for title in listed if title != "Disability in Encarnación"]
    assert dated == [
        "Governance in Brasília",
        "Early childhood in Montevideo",
        "Governance in Asunción",
    ]
    # A visit without dates yet comes last on SQLite and first on PostgreSQL (NULLS FIRST
    # in descending order): the ordering does not say which.
    assert listed.index("Disability in Encarnación") in (0, 3)


def test_list_rows(client, four_visits, coordinator):
    client.force_login(coordinator)
    content = text(client.get(LIST, {"host_country": country("UY").pk}))
    assert (
        "Early childhood in Montevideo Early childhood care Uruguay, visit 1 Brazil, Paraguay "
        "08/22/2023 – 08/24/2023 Planned"
    ) in content


def test_year_filter_offers_the_years_of_the_visits(client, four_visits, coordinator):
    client.force_login(coordinator)
    response = client.get(LIST)
    options = [o.get("value", "") for o in find(response, "option")]
    years = [value for value in options if len(value) == 4 and value.isdigit()]
    # From the first visit's year to the last's, newest first (the years between included).
    assert years == ["2023", "2022"]
    response = client.get(LIST, {"year": 2022})
    assert [visit.start_date.year for visit in response.context["visits"]] == [2022]


def test_unknown_filter_values_are_ignored_not_an_error(client, four_visits, coordinator):
    client.force_login(coordinator)
    response = client.get(LIST, {"status": "finished", "host_country": "999999"})
    assert response.status_code == 200


# --- pagination --------------------------------------------------------------------------------


def many_visits(count, host="PY", status=Visit.Status.CLOSED, start=date(2020, 1, 6)):
    """``count`` visits of the host, one a week, each with its host team and Uruguay's
    delegation (bulk-created: no history, no per-row save)."""
    host_country, uruguay = country(host), country("UY")
    last = Visit.objects.filter(host_country=host_country).count()
    visits = Visit.objects.bulk_create(
        Visit(
            host_country=host_country,
            sequence=last + n,
            title=f"Visit number {last + n}",
            start_date=start + timedelta(weeks=n),
            end_date=start + timedelta(weeks=n, days=2),
            status=status,
            thematic_focus=focus,
        )
        for n, focus in zip(range(1, count + 1), cycle(ThematicFocus.values), strict=False)
    )
    if not all(v.pk for v in visits):  # databases that do not return the new keys
        visits = list(Visit.objects.filter(host_country=host_country, sequence__gt=last))
    Delegation.objects.bulk_create(
        Delegation(visit=visit, country=c, is_host=c == host_country)
        for visit in visits
        for c in (host_country, uruguay)
    )
    return visits


def test_list_paginates_and_keeps_the_filters(client, demo, coordinator):
    many_visits(30)
    many_visits(3, host="CL", status=Visit.Status.DRAFT)
    client.force_login(coordinator)
    first = client.get(LIST, {"status": "closed"})
    assert len(titles(first)) == 25
    assert "Page 1 of 2" in text(first)
    assert find(first, "a", href="?status=closed&page=2")
    second = client.get(LIST, {"status": "closed", "page": "2"})
    assert len(titles(second)) == 5
    assert "Page 2 of 2" in text(second)
    assert find(second, "a", href="?status=closed&page=1")
    assert not set(titles(first)) & set(titles(second))
    # A page beyond the last shows the last one.
    assert titles(client.get(LIST, {"status": "closed", "page": "9"})) == titles(second)


# --- localisation ------------------------------------------------------------------------------


@pytest.fixture
def budgeted(demo):
    visit = new_visit("PY", "Care services in the territory", date(2024, 5, 6), guests=["UY"],
                      objectives="See how care services reach families.")  # fmt: skip
    AgendaItem.objects.create(
        visit=visit, day=date(2024, 5, 7), start_time="14:00", end_time="16:30",
        title="Workshop", kind=AgendaItem.Kind.WORKSHOP,
    )  # fmt: skip
    BudgetLine.objects.create(
        visit=visit, category="travel", planned=Decimal("12345.5"), actual=Decimal("9876.25")
    )
    return visit


def test_pages_in_english(client, budgeted, staff_py):
    client.force_login(staff_py)
    detail = text(client.get(budgeted.get_absolute_url()))
    assert "May 6, 2024 – May 8, 2024" in detail
    assert "Tuesday, May 7, 2024" in detail
    assert "2 p.m.–4:30 p.m. · Workshop" in detail
    assert "Travel 12,345.50 9,876.25 USD" in detail
    assert "05/06/2024 – 05/08/2024" in text(client.get(LIST))


def test_pages_in_spanish(client, budgeted, staff_py):
    client.force_login(staff_py)
    spanish = {"accept-language": "es"}
    response = client.get(budgeted.get_absolute_url(), headers=spanish)
    assert 'lang="es"' in response.content.decode()
    detail = text(response)
    assert "6 de mayo de 2024 – 8 de mayo de 2024" in detail
    assert "martes, 7 de mayo de 2024" in detail
    assert "14:00–16:30 · Workshop" in detail
    assert "Viajes 12.345,50 9.876,25 USD" in detail  # as the partner ministries write them
    assert "06/05/2024 – 08/05/2024" in text(client.get(LIST, headers=spanish))


# --- the programme's figures -------------------------------------------------------------------


@pytest.fixture
def two_visits(demo):
    """Figures counted by hand:

    Paraguay hosts Uruguay for 3 days. Carlos Benítez (political) and María José Giménez
    (technical) for the host, Lucía Pereira (political) for Uruguay attend; Martín Fernández
    (technical) does not. Host actors: Paraguay's ministry and a university.
    Budget: travel 1,000.00 planned, 1,100.50 spent; per diem 500.00 planned, not yet known;
    the venue 2,000,000 PYG planned, 1,800,000 spent.

    Uruguay hosts Chile and IILA for 2 days: Lucía Pereira (political) for the host, Camila
    Rojas (political) and Felipe Muñoz (technical) for Chile, Giulia Bianchi (observer) for
    IILA. Chile's delegation: its ministry and a caregivers' network. Travel: 2,000.00 planned,
    1,899.50 spent.

    Person-days: political 3 + 3 + 2 + 2 = 10, technical 3 + 2 = 5, observer 2.
    USD: planned 3,500.00, actual 3,000.00, difference -500.00.
    Actors, each once: ministries of Paraguay, Uruguay and Chile (government, 3), the
    university (academia), the network (civil society), IILA (international).
    """
    university = Actor.objects.create(
        name="Universidad Nacional de Asunción", country=country("PY"), kind=Actor.Kind.ACADEMIA
    )
    network = Actor.objects.create(
        name="Red de cuidadoras", country=country("CL"), kind=Actor.Kind.CIVIL_SOCIETY
    )
    first = new_visit("PY", "Care in Asunción", date(2024, 5, 6), days=3, guests=["UY"])
    first.host_actors.set([ministry("PY"), university])
    take_part(first, "PY", ("Carlos Benítez", "political"), ("María José Giménez", "technical"))
    take_part(first, "UY", ("Lucía Pereira", "political"), ("Martín Fernández", "technical", False))
    BudgetLine.objects.bulk_create([
        BudgetLine(visit=first, category="travel", planned=1000, actual=Decimal("1100.50")),
        BudgetLine(visit=first, category="per_diem", planned=500),
        BudgetLine(visit=first, category="venue", planned=2_000_000, actual=1_800_000,
                   currency="PYG"),
    ])  # fmt: skip

    second = new_visit("UY", "Care in Montevideo", date(2024, 9, 2), days=2, guests=["CL", "IT"])
    second.delegations.get(country__code="CL").actors.set([ministry("CL"), network])
    take_part(second, "UY", ("Lucía Pereira", "political"))
    take_part(second, "CL", ("Camila Rojas", "political"), ("Felipe Muñoz", "technical"))
    take_part(second, "IT", ("Giulia Bianchi", "observer"))
    BudgetLine.objects.create(
        visit=second, category="travel", planned=2000, actual=Decimal("1899.50")
    )
    return first, second


def take_part(visit, code, *people):
    delegation = visit.delegations.get(country__code=code)
    for name, role, *attended in people:
        Participant.objects.create(
            delegation=delegation, person=person(name), role=role, attended=attended != [False]
        )


def test_programme_figures(client, two_visits, coordinator):
    client.force_login(coordinator)
    response = client.get(FIGURES)
    figures = response.context["figures"]
    assert figures.visits == 2
    assert figures.costs() == [
        ("PYG", Decimal("2000000"), Decimal("1800000"), Decimal("-200000")),
        ("USD", Decimal("3500"), Decimal("3000"), Decimal("-500")),
    ]
    assert [(str(role), days) for role, days in figures.person_days_by_role()] == [
        ("Observer", 2),
        ("Political", 10),
        ("Technical", 5),
    ]
    assert {str(kind): n for kind, n in figures.actors_by_kind()} == {
        "Government ministry or agency": 3,
        "Academic institution": 1,
        "Civil-society organisation": 1,
        "International organisation": 1,
    }
    content = text(response)
    assert "Over 2 visits:" in content
    assert "PYG 2,000,000.00 1,800,000.00 -200,000.00" in content
    assert "USD 3,500.00 3,000.00 -500.00" in content
    assert "Observer: 2 Political: 10 Technical: 5" in content
    assert "Government ministry or agency: 3" in content
    assert "International organisation: 1" in content


def test_figures_of_one_visit_on_its_page(client, two_visits, staff_py):
    first, _second = two_visits
    client.force_login(staff_py)
    content = text(client.get(first.get_absolute_url()))
    assert "PYG 2,000,000.00 1,800,000.00 -200,000.00" in content
    assert "USD 1,500.00 1,100.50 -399.50" in content
    assert "Political: 6 Technical: 3" in content
    assert "Government ministry or agency: 2 Academic institution: 1" in content


def test_figures_count_only_the_visits_the_user_may_see(client, two_visits, staff_py):
    client.force_login(staff_py)  # Paraguay takes no part in the visit to Montevideo
    figures = client.get(FIGURES).context["figures"]
    assert figures.visits == 1
    assert dict(figures.person_days_by_role()) == {"Political": 6, "Technical": 3}


def test_figures_of_no_visit(client, demo, coordinator):
    client.force_login(coordinator)
    content = text(client.get(FIGURES))
    assert "Over 0 visits:" in content
    assert "No budget recorded." in content
    assert "No attendance recorded." in content
    assert "No actors recorded." in content


# --- queries -----------------------------------------------------------------------------------

# Measured, on SQLite and PostgreSQL alike: session, user, roles; the number of visits, the filter's
# countries (2) and years, the page of visits and their visiting delegations with their countries;
# the navigation bar's unread notifications and to-do count.
LIST_QUERIES = 11


@pytest.mark.parametrize("username", ["coordinator", "staff-py"])
def test_list_queries_do_not_grow_with_the_visits(
    client, demo, django_assert_max_num_queries, django_user_model, username
):
    many_visits(10)
    client.force_login(django_user_model.objects.get(username=username))
    with django_assert_max_num_queries(LIST_QUERIES) as ten:
        response = client.get(LIST)
    assert len(titles(response)) == 10

    many_visits(290)
    with django_assert_max_num_queries(LIST_QUERIES) as three_hundred:
        response = client.get(LIST, {"page": "2"})
    assert len(titles(response)) == 25
    assert len(ten) == len(three_hundred)


EXTRA_COUNTRIES = ["AR", "BO", "EC", "MX", "PE"]


def crowded_visit(delegations, participants, findings):
    """A conducted Paraguayan visit with that many delegations (the host team included), each
    with an actor of its own; that many participants, each with an evaluation, and findings,
    each with an addressee and a criterion; per delegation an agenda item, a budget line, a
    compliance check and an attachment."""
    version = MethodologyVersion.objects.get(number=1)
    criteria = list(version.criteria.all())
    codes = ["PY", "UY", "CL", "BR", "CO", "CR", "IT", *EXTRA_COUNTRIES][:delegations]
    for code in codes:
        Country.objects.get_or_create(code=code)
    visit = new_visit("PY", f"{delegations} delegations", date(2024, 5, 6), guests=codes[1:],
                      status=Visit.Status.CONDUCTED, methodology_version=version,
                      plan_submitted_at=timezone.now(), objectives="Learn.")  # fmt: skip
    teams = list(visit.delegations.select_related("country"))
    kinds = cycle(Actor.Kind.values)
    actors = Actor.objects.bulk_create(
        Actor(name=f"Agency {visit.pk}-{n}", country=team.country, kind=next(kinds))
        for n, team in enumerate(teams)
    )
    for team, actor in zip(teams, actors, strict=True):
        team.actors.set([actor])
    delegations_and_actors = list(zip(teams, actors, strict=True))
    seats = list(zip(range(participants), cycle(delegations_and_actors), strict=False))
    people = Person.objects.bulk_create(
        Person(name=f"Delegate {visit.pk}-{n}", actor=actor) for n, (_team, actor) in seats
    )
    roles = cycle(Participant.Role.values)
    members = Participant.objects.bulk_create(
        Participant(visit=visit, delegation=team, person=someone, role=next(roles))
        for (_n, (team, _actor)), someone in zip(seats, people, strict=True)
    )
    Evaluation.objects.bulk_create(
        Evaluation(visit=visit, participant=member, preparation=4, relevance=4,
                   exchange_quality=4, use_of_time=4)
        for member in members
    )  # fmt: skip
    finding_kinds = cycle(Finding.Kind.values)
    Finding.objects.bulk_create(
        Finding(visit=visit, delegation=team, kind=next(finding_kinds), title=f"Finding {n}",
                text="Text.", addressee=actor, criterion=criterion)
        for n, (team, actor), criterion in zip(range(findings), cycle(delegations_and_actors),
                                               cycle(criteria), strict=False)
    )  # fmt: skip
    uploader = get_user_model().objects.get(username="staff-py")
    for n, actor in enumerate(actors):
        AgendaItem.objects.create(
            visit=visit, day=date(2024, 5, 6 + n % 3), start_time="09:00", end_time="10:00",
            title=f"Meeting {n}", kind="meeting", responsible_actor=actor,
        )  # fmt: skip
        BudgetLine.objects.create(visit=visit, category="travel", planned=100 * (n + 1))
        ComplianceCheck.objects.create(visit=visit, criterion=criteria[n], status="met")
        Attachment.objects.create(
            visit=visit, kind="document", title=f"Note {n}", file=f"visits/{visit.pk}/{n}.pdf",
            content_type="application/pdf", size=100, uploaded_by=uploader,
        )  # fmt: skip
    return visit


# Measured, on SQLite and PostgreSQL alike: session, user, roles; the visit's visibility (checked
# before the page cache is asked); the visit (with its host, methodology and authors); host
# actors, budget lines, delegations, their actors, participants (with people, actors and
# evaluations); findings; compliance checks; criteria not checked; averages of the evaluations;
# the gaps of the next step (findings, evaluations, criteria); what the delegations owe
# (visits/duties.py); agenda; attachments; the navigation bar's unread notifications and to-do
# count.
DETAIL_QUERIES = 23


@pytest.mark.parametrize("username", ["coordinator", "staff-py"])
def test_detail_queries_do_not_grow_with_the_visit(
    client, demo, django_assert_max_num_queries, django_user_model, username
):
    small = crowded_visit(delegations=2, participants=5, findings=5)
    big = crowded_visit(delegations=8, participants=40, findings=40)
    client.force_login(django_user_model.objects.get(username=username))
    with django_assert_max_num_queries(DETAIL_QUERIES) as few:
        response = client.get(small.get_absolute_url())
    assert len(response.context["delegations"]) == 2
    assert len(response.context["findings"]) == response.context["evaluation_count"] == 5
    with django_assert_max_num_queries(DETAIL_QUERIES) as many:
        response = client.get(big.get_absolute_url())
    assert len(response.context["delegations"]) == 8
    assert len(response.context["findings"]) == response.context["evaluation_count"] == 40
    assert len(few) == len(many)


@pytest.mark.parametrize("username", ["coordinator", "staff-py"])
def test_detail_queries_do_not_grow_with_the_other_visits(
    client, demo, django_assert_max_num_queries, django_user_model, username
):
    visit = crowded_visit(delegations=2, participants=5, findings=5)
    many_visits(9)
    client.force_login(django_user_model.objects.get(username=username))
    with django_assert_max_num_queries(DETAIL_QUERIES) as ten:
        client.get(visit.get_absolute_url())
    many_visits(290)
    with django_assert_max_num_queries(DETAIL_QUERIES) as three_hundred:
        client.get(visit.get_absolute_url())
    assert len(ten) == len(three_hundred)
