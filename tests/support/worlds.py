"""Programme data shared by the access tests: built on the demo's countries, people and
methodology (the ``demo`` fixture, or countries.demo and visits.demo loaded)."""

from datetime import date, time

from django.core.files.base import ContentFile
from django.utils import timezone

from countries.models import Actor, Country, Person
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
    Visit,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def plan(host="PY", guests=("UY",), status=Visit.Status.DRAFT, **fields):
    """A visit with everything a plan needs (dates, objectives, visiting delegations, an
    agenda item), in `status`: past the submission, it follows the adopted version 1."""
    fields = {
        "title": "Care services in the territory",
        "objectives": "See how care services reach families.",
        "city": "Asunción",
        "start_date": date(2024, 5, 6),
        "end_date": date(2024, 5, 8),
        **fields,
    }
    host_country = Country.objects.get(code=host)
    visit = Visit.objects.create(host_country=host_country, status=status, **fields)
    Delegation.objects.create(visit=visit, country=host_country, is_host=True)
    for code in guests:
        Delegation.objects.create(visit=visit, country=Country.objects.get(code=code))
    AgendaItem.objects.create(
        visit=visit,
        day=fields["start_date"],
        start_time=time(9),
        end_time=time(12),
        title="Opening",
        kind=AgendaItem.Kind.MEETING,
    )
    if status not in (*Visit.PLANNING, Visit.Status.SUBMITTED):
        Visit.objects.filter(pk=visit.pk).update(
            methodology_version=MethodologyVersion.objects.get(number=1),
            plan_submitted_at=timezone.now(),
        )
        visit.refresh_from_db()
    return visit


def conducted_visit(uploader):
    """Paraguay hosts Uruguay: a visit conducted and ready to be systematised, with its
    participants, an evaluation, agenda, budget, checklist, a recommendation and an attachment
    (uploaded by ``uploader``), and a second state in its history, to restore the first."""
    version = MethodologyVersion.objects.get(number=1)
    paraguay = Country.objects.get(code="PY")
    visit = Visit.objects.create(
        host_country=paraguay,
        title="Care services in the territory",
        objectives="See how care services reach families.",
        city="Asunción",
        start_date=date(2024, 5, 6),
        end_date=date(2024, 5, 8),
        status=Visit.Status.CONDUCTED,
        methodology_version=version,
        plan_submitted_at=timezone.now(),
    )
    visit.host_actors.set([Actor.objects.get(country=paraguay, is_partner=True)])
    host = Delegation.objects.create(visit=visit, country=paraguay, is_host=True)
    uruguay = Delegation.objects.create(visit=visit, country=Country.objects.get(code="UY"))
    carlos = Participant.objects.create(
        delegation=host, person=Person.objects.get(name="Carlos Benítez"), role="political"
    )
    lucia = Participant.objects.create(
        delegation=uruguay, person=Person.objects.get(name="Lucía Pereira"), role="political"
    )
    Evaluation.objects.create(
        participant=lucia, preparation=4, relevance=5, exchange_quality=4, use_of_time=3
    )
    AgendaItem.objects.create(
        visit=visit,
        day=date(2024, 5, 6),
        start_time=time(9),
        end_time=time(12),
        title="Opening",
        kind=AgendaItem.Kind.MEETING,
    )
    BudgetLine.objects.create(visit=visit, category="travel", planned=1800, currency="USD")
    ComplianceCheck.objects.bulk_create(
        ComplianceCheck(visit=visit, criterion=criterion, status=ComplianceCheck.Status.MET)
        for criterion in version.criteria.all()
    )
    recommendation = Finding.objects.create(
        visit=visit,
        delegation=uruguay,
        kind=Finding.Kind.RECOMMENDATION,
        title="Publish the service standards",
        text="So that other countries can adapt them.",
    )
    attachment = Attachment(
        visit=visit,
        kind=Attachment.Kind.DOCUMENT,
        title="Background note",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=uploader,
    )
    attachment.file.save("note.pdf", ContentFile(PDF))
    record = visit.history.earliest("history_date")
    visit.title = "Care services in the territory of Paraguay"
    visit.save()
    return {
        "visit": visit,
        "host": host,
        "uruguay": uruguay,
        "carlos": carlos,
        "lucia": lucia,
        "recommendation": recommendation,
        "attachment": attachment,
        "record": record,
    }
