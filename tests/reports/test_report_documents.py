"""
The four systematisation reports as documents: their content, their PDF
(metadata, language, page numbers, tags), escaping of user text, stable HTML
for unchanged data and a fixed number of queries whatever the data size.
"""

import hashlib
import io
import re
import time
from datetime import date, timedelta
from datetime import time as clock
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from countries.models import Actor, Country, Person
from lessons.models import Lesson
from reports import charts
from reports.kinds import REPORTS, lesson, methodology, overview
from reports.kinds import visit as visit_report
from reports.models import ReportJob
from reports.pdf import render_pdf
from visits.methodology.workflow import adopted_version
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

ACCENTED = "José Ñúñez Conceição"
HOSTILE = "<script>alert(1)</script> and <b>x</b>"


# --- building data ---------------------------------------------------------------------------


def _actor(country):
    return Actor.objects.filter(country=country).order_by("-is_partner", "pk").first()


def build_visit(
    host="PY",
    visitors=("UY", "CL", "CR"),
    *,
    start=date(2024, 4, 8),
    participants=8,
    findings=6,
    evaluations=None,
    status=Visit.Status.CLOSED,
    title="A visit built by the tests",
):
    """A visit with delegations, participants, agenda, findings, evaluations, budget and
    compliance checks, created in few queries."""
    countries = {c.code.code: c for c in Country.objects.all()}
    version = adopted_version()
    visit = Visit.objects.create(
        host_country=countries[host],
        title=title,
        objectives="Learn from the host; leave recommendations.",
        city="Ciudad del Este",
        start_date=start,
        end_date=start + timedelta(days=2),
        status=status,
        methodology_version=version,
    )
    host_actor = _actor(countries[host])
    visit.host_actors.set([host_actor])
    delegations = [Delegation.objects.create(visit=visit, country=countries[host], is_host=True)]
    delegations += [
        Delegation.objects.create(visit=visit, country=countries[code]) for code in visitors
    ]
    actors = {d.pk: _actor(d.country) for d in delegations}
    for delegation in delegations:
        delegation.actors.set([actors[delegation.pk]])
    people = Person.objects.bulk_create(
        Person(
            name=f"Person {visit.pk}-{i}",
            position="Technical officer",
            actor=actors[delegations[i % len(delegations)].pk],
            exchange_role="technical" if i % 3 else "political",
        )
        for i in range(participants)
    )
    members = Participant.objects.bulk_create(
        Participant(
            delegation=delegations[i % len(delegations)],
            visit=visit,
            person=person,
            role=person.exchange_role,
            attended=i % 7 != 6,
        )
        for i, person in enumerate(people)
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(
            visit=visit,
            day=start + timedelta(days=i // 4),
            start_time=clock(8 + 2 * (i % 4)),
            end_time=clock(9 + 2 * (i % 4)),
            title=f"Activity {i}",
            kind=AgendaItem.Kind.MEETING,
            place="Sede",
            responsible_actor=host_actor,
        )
        for i in range(12)
    )
    criteria = list(version.criteria.all())
    add_findings(visit, delegations, findings, criteria)
    statuses = list(ComplianceCheck.Status.values)
    ComplianceCheck.objects.bulk_create(
        ComplianceCheck(visit=visit, criterion=c, status=statuses[i % 4], note=f"Note {i}")
        for i, c in enumerate(criteria)
    )
    Evaluation.objects.bulk_create(
        Evaluation(
            participant=member,
            visit=visit,
            preparation=1 + i % 5,
            relevance=1 + (i + 1) % 5,
            exchange_quality=1 + (i + 2) % 5,
            use_of_time=1 + (i + 3) % 5,
            comments=f"Comment {i}" if i % 2 else "",
        )
        for i, member in enumerate(members[: participants if evaluations is None else evaluations])
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            visit=visit,
            category=category,
            planned=Decimal(1000 + 100 * i),
            actual=Decimal(950 + 120 * i) if i % 3 else None,
            currency=currency,
        )
        for i, category in enumerate(BudgetLine.Category.values)
        for currency in ("USD", "EUR")
    )
    return visit


def add_findings(visit, delegations, count, criteria=()):
    kinds = list(Finding.Kind.values)
    follow_ups = list(Finding.FollowUp.values)
    Finding.objects.bulk_create(
        Finding(
            visit=visit,
            delegation=delegations[i % len(delegations)],
            kind=kinds[i % 3],
            title=f"Finding {i}",
            text=f"What was seen, number {i}.",
            criterion=criteria[i % len(criteria)] if criteria else None,
            follow_up_status=follow_ups[i % 5] if kinds[i % 3] == "recommendation" else "",
            host_response=f"Response {i}" if i % 2 else "",
        )
        for i in range(count)
    )


@pytest.fixture
def lessons(demo_visits):
    from lessons import demo as lessons_demo

    lessons_demo.load()


@pytest.fixture
def closed_visit(demo_visits):
    """A closed demo visit with a delegate whose name has accents."""
    visit = (
        Visit.objects.filter(status=Visit.Status.CLOSED, lessons__isnull=False)
        .order_by("start_date")
        .first()
    ) or Visit.objects.filter(status=Visit.Status.CLOSED).order_by("start_date").first()
    delegation = visit.delegations.filter(is_host=False).first()
    person = Person.objects.create(
        name=ACCENTED,
        position="Coordenadora de Políticas de Cuidado",
        actor=delegation.actors.first(),
        exchange_role="technical",
    )
    Participant.objects.create(delegation=delegation, person=person, role="technical")
    return visit


def pdf_of(html):
    rendered = render_pdf(html)
    reader = PdfReader(io.BytesIO(rendered.data))
    assert len(reader.pages) == rendered.pages
    return reader


def text_of(reader):
    """The text of the PDF with any run of white space as one space (cells wrap lines)."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def target_of(kind):
    if kind == ReportJob.Kind.VISIT:
        return Visit.objects.filter(status=Visit.Status.CLOSED).first()
    if kind == ReportJob.Kind.METHODOLOGY:
        return adopted_version()
    if kind == ReportJob.Kind.LESSON:
        return Lesson.objects.exclude(source_file="").first()
    return None


# --- the documents ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ReportJob.Kind.values))
def test_pdf_metadata_language_page_numbers_and_tags(settings, lessons, kind):
    settings.REPORT_AUTHOR = "IILA – PeerVisits"
    report = REPORTS[kind]
    obj = target_of(kind)
    html = report.render_html(obj, "en")
    reader = pdf_of(html)
    pages = len(reader.pages)
    assert pages >= 1
    assert reader.metadata["/Title"] == report.title_for(obj, "en")
    assert reader.metadata["/Author"] == "IILA – PeerVisits"
    assert reader.metadata["/Subject"] == str(report.subject(obj))
    catalog = reader.trailer["/Root"]
    assert catalog.get("/Lang") == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert f"page 1 of {pages}" in reader.pages[0].extract_text()
    assert f"page {pages} of {pages}" in reader.pages[-1].extract_text()
    # Only the project's stylesheet and in-document anchors: nothing else is loaded or linked.
    assert re.findall(r'\b(?:src|href)="([^"#][^"]*)"', html) == ["css/report.css"]


def test_visit_report_content(closed_visit, lessons):
    Lesson.objects.filter(status=Lesson.Status.PUBLISHED).first().related_visits.add(closed_visit)
    draft = Lesson.objects.create(title="An unpublished lesson", status=Lesson.Status.DRAFT)
    draft.related_visits.add(closed_visit)
    html = visit_report.REPORT.render_html(closed_visit, "en")
    text = text_of(pdf_of(html))
    assert closed_visit.title in text
    assert ACCENTED in text
    for heading in [
        "Contents",
        "Context and objectives",
        "Delegations",
        "Agenda",
        "Compliance with the criteria",
        "Best practices",
        "Recommendations and follow-up",
        "Evaluation of the visit",
        "Budget: planned and actual",
        "Person-days of delegates",
        "Lessons drawn",
    ]:
        assert heading in text
    assert "An unpublished lesson" not in html
    assert 'role="img"' in html and "<svg" in html
    assert "<h1" in html and "<h2" in html and "<h3" in html


def test_methodology_report_content(demo):
    version = adopted_version()
    report = REPORTS[ReportJob.Kind.METHODOLOGY]
    assert report.target(None, None) == version  # the adopted version by default
    text = text_of(pdf_of(report.render_html(version, "en")))
    criterion = version.criteria.first()
    assert criterion.code in text
    assert "Consultation of the partner countries" in text
    endorsement = version.endorsements.select_related("country").first()
    if endorsement:
        assert str(endorsement.country) in text


def test_lesson_sheet_content(lessons):
    entry = Lesson.objects.exclude(source_file="").get()
    reader = pdf_of(lesson.REPORT.render_html(entry, "en"))
    assert len(reader.pages) <= 2
    text = text_of(reader)
    for heading in ["TYPE OF KNOWLEDGE", "TITLE", "AUTHOR", "KEYWORDS", "IMPACTS"]:
        assert heading in text
    assert entry.title in text
    assert "Peer Review" in text
    assert "3. Sharing knowledge and learning jointly" in text


def test_overview_content(demo_visits):
    Visit.objects.filter(status=Visit.Status.DRAFT).update(status=Visit.Status.CANCELLED)
    html = overview.REPORT.render_html(None, "en")
    text = text_of(pdf_of(html))
    assert "13 visits" in text  # the cancelled one is left out
    assert "Adherence to the criteria over time" in text
    assert "Follow-up of recommendations over time" in text
    assert html.count('role="img"') == 3


@pytest.mark.parametrize(
    ("kind", "language", "headings"),
    [
        ("visit", "es", ["Delegaciones", "Días-persona de los delegados"]),
        ("visit", "pt", ["Delegações", "Dias-pessoa dos delegados"]),
        ("methodology", "es", ["Planificación", "Resumen de los cambios"]),
        ("methodology", "pt", ["Planejamento", "Resumo das alterações"]),
        ("lesson", "es", ["AUTOR", "PALABRAS CLAVE"]),
        ("lesson", "pt", ["AUTOR", "PALAVRAS-CHAVE"]),
        ("overview", "es", ["Actores involucrados, por tipo"]),
        ("overview", "pt", ["Atores envolvidos, por tipo"]),
    ],
)
def test_headings_in_the_language_of_the_report(lessons, kind, language, headings):
    report = REPORTS[kind]
    html = report.render_html(target_of(kind), language)
    assert f'<html lang="{language}">' in html
    reader = pdf_of(html)
    assert reader.trailer["/Root"].get("/Lang") == language
    text = text_of(reader)
    for heading in headings:
        assert heading in html
        assert heading in text


# --- escaping --------------------------------------------------------------------------------


def test_user_text_is_escaped_in_every_report(lessons):
    visit = Visit.objects.filter(status=Visit.Status.CLOSED).first()
    Finding.objects.filter(pk=visit.findings.first().pk).update(
        title=HOSTILE, host_response=HOSTILE
    )
    Visit.objects.filter(pk=visit.pk).update(objectives=HOSTILE)
    entry = Lesson.objects.exclude(source_file="").get()
    Lesson.objects.filter(pk=entry.pk).update(title=HOSTILE, keywords=[HOSTILE])
    version = adopted_version()
    version.criteria.filter(pk=version.criteria.first().pk).update(title=HOSTILE)
    country = visit.host_country
    Actor.objects.filter(pk=_actor(country).pk).update(
        name=HOSTILE, website="http://attacker.example/x.png"
    )
    for kind, obj in [
        ("visit", visit),
        ("lesson", Lesson.objects.get(pk=entry.pk)),
        ("methodology", version),
        ("overview", None),
    ]:
        html = REPORTS[kind].render_html(obj, "en")
        assert "<script>" not in html and "<b>x</b>" not in html
        assert "attacker.example" not in html
        if kind != "overview":
            assert "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;x&lt;/b&gt;" in html
            text = text_of(pdf_of(html))
            assert "<script>alert(1)</script> and <b>x</b>" in text


def test_chart_labels_are_escaped():
    from django.template.loader import render_to_string

    chart = charts.bar_chart("c1", HOSTILE, [(HOSTILE, 3), ("b", 1)])
    svg = render_to_string("reports/bar_chart.html", {"chart": chart})
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'aria-labelledby="c1-title"' in svg and '<title id="c1-title">' in svg


# --- stable HTML, fixed queries --------------------------------------------------------------


def test_same_data_same_html_and_a_change_changes_it(closed_visit):
    report = visit_report.REPORT

    def digest():
        return hashlib.sha256(report.render_html(closed_visit, "en").encode()).hexdigest()

    first = digest()
    assert digest() == first
    finding = closed_visit.findings.first()
    finding.text += " One more sentence."
    finding.save()
    assert digest() != first
    assert overview.REPORT.render_html(None, "es") == overview.REPORT.render_html(None, "es")


def count_queries(function, *args):
    with CaptureQueriesContext(connection) as queries:
        function(*args)
    return len(queries)


def test_visit_context_queries_do_not_grow(demo):
    visit = build_visit(participants=4, findings=2)
    small = count_queries(visit_report.context, visit)
    delegations = list(visit.delegations.all())
    add_findings(visit, delegations, 18)
    larger = build_visit(
        "UY", ("PY", "CL", "CR", "CO", "BR"), participants=40, findings=30, evaluations=40
    )
    assert count_queries(visit_report.context, visit) == small
    assert count_queries(visit_report.context, larger) == small
    # Twelve for the rows the report shows, and three aggregates for its figures (costs,
    # person-days, actors by kind), which the database computes instead of Python counting
    # the rows (visits.figures).
    assert small <= 15


def test_overview_context_queries_do_not_grow(demo_visits):
    small = count_queries(overview.context, None)
    codes = ["BR", "CL", "CO", "CR", "PY", "UY"]
    for i in range(46):
        host = codes[i % 6]
        build_visit(
            host, [c for c in codes if c != host][:3], start=date(2020 + i % 6, 1 + i % 12, 3)
        )
    assert Visit.objects.count() == 60
    assert count_queries(overview.context, None) == small
    assert small <= 10


def test_methodology_and_lesson_context_queries(lessons):
    version = adopted_version()
    assert count_queries(methodology.context, version) <= 8
    entry = Lesson.objects.exclude(source_file="").get()
    few = Lesson.objects.filter(source_file="").first()
    assert count_queries(lesson.context, entry) == count_queries(lesson.context, few)


# --- realistic sizes -------------------------------------------------------------------------


def test_visit_of_realistic_size_renders_in_reasonable_time(demo):
    visit = build_visit(
        "UY", ("PY", "CL", "CR", "CO", "BR"), participants=40, findings=30, evaluations=40
    )
    html = visit_report.REPORT.render_html(visit, "en")
    started = time.perf_counter()
    reader = pdf_of(html)
    seconds = time.perf_counter() - started
    print(f"visit of realistic size: {len(reader.pages)} pages in {seconds:.1f} s")
    assert seconds < 30
    text = text_of(reader)
    assert "Finding 29" in text and f"Person {visit.pk}-0" in text


def test_overview_of_300_visits_renders_in_reasonable_time(demo):
    codes = ["BR", "CL", "CO", "CR", "PY", "UY"]
    for i in range(300):
        host = codes[i % 6]
        build_visit(
            host,
            [c for c in codes if c != host][:3],
            start=date(2015 + i % 12, 1 + i % 12, 3),
            participants=8,
            findings=6,
        )
    with CaptureQueriesContext(connection) as queries:
        html = overview.REPORT.render_html(None, "en")
    started = time.perf_counter()
    reader = pdf_of(html)
    seconds = time.perf_counter() - started
    print(
        f"overview of 300 visits: {len(queries)} queries, {len(reader.pages)} pages "
        f"in {seconds:.1f} s"
    )
    assert seconds < 30
    assert "300 visits" in text_of(reader)


def test_methodology_changes_and_comments(demo):
    from visits.methodology.models import MethodologyVersion

    version = MethodologyVersion.objects.filter(previous__isnull=False).first()
    context = methodology.context(version)
    assert context["changes"], "the demo's second version changes criteria"
    html = methodology.REPORT.render_html(version, "en")
    assert "Criteria added, changed and removed since version" in html
    for _country, comment in context["criterion_comments"]:
        assert comment.criterion.code in html
    text = text_of(pdf_of(html))
    assert "Changes from the previous version" in text
