"""
Demo knowledge bank: the programme's real Knowledge Bank entry, published, and a few
illustrative lessons drawn from the demo visits' findings (one still in review).
"""

from pathlib import Path

from django.contrib.auth import get_user_model

from countries.models import Country
from visits.models import Finding

from .knowledge_bank import applying, parsing
from .models import AddedValue, KnowledgeType, Lesson, Phase

SHIPPED_ENTRY = Path(__file__).parent / "data" / "building-together-the-methodology.txt"

# title, knowledge type, host country code, status, experience, keywords, added values
ILLUSTRATIVE = [
    ("Users of the care system in the design of services", KnowledgeType.GOOD_PRACTICES, "CR",
     Lesson.Status.PUBLISHED,
     "Involving the people who receive care, and their families, in designing services made "
     "the services fit real needs; several delegations adapted the practice at home.",
     ["Participation", "Care services"], [3, 4]),
    ("Multi-year agreements keep local care services alive", KnowledgeType.LESSONS_LEARNT, "CO",
     Lesson.Status.PUBLISHED,
     "Yearly agreements between national and local governments interrupted services; "
     "multi-year agreements recommended by the peers gave them continuity.",
     ["Local government", "Financing"], [1, 5]),
    ("Half a day of ministers' time is enough when it is prepared", KnowledgeType.LESSONS_LEARNT,
     "UY", Lesson.Status.PUBLISHED,
     "Concentrating high-level officials in one well-prepared session saved their time "
     "without losing political commitment; technical teams carried the rest.",
     ["Technical exchange", "High-level officials"], [2, 3]),
    ("A registry shared by those who need and those who provide care",
     KnowledgeType.SUCCESS_STORIES, "CL", Lesson.Status.IN_REVIEW,
     "A single registry let local teams match people who need care with services and "
     "caregivers; the visiting countries asked for its data model.",
     ["Information systems", "Registry"], [3]),
]  # fmt: skip


def load():
    if Lesson.objects.exists():
        return
    User = get_user_model()
    coordinator = User.objects.get(username="coordinator")

    lesson, _report = applying.save_parsed(
        parsing.parse(SHIPPED_ENTRY.read_bytes()),
        user=coordinator,
        source_file=SHIPPED_ENTRY.name,
    )
    lesson.status = Lesson.Status.PUBLISHED
    lesson.save()

    implementation = Phase.objects.filter(name__iexact="implementation").first()
    for title, kind, code, status, experience, keywords, values in ILLUSTRATIVE:
        country = Country.objects.get(code=code)
        finding = (
            Finding.objects.filter(visit__host_country=country).select_related("visit").first()
        )
        lesson = Lesson.objects.create(
            knowledge_type=kind,
            title=title,
            author=f"{country.name} – {finding.visit.label} (illustrative)" if finding else "",
            phase=implementation,
            description=finding.text if finding else "",
            experience=experience,
            keywords=keywords,
            language="en",
            status=status,
            created_by=User.objects.get(username=f"staff-{code.lower()}"),
        )
        lesson.countries.set([country])
        lesson.added_values.set(AddedValue.objects.filter(number__in=values))
        if finding:
            lesson.related_visits.set([finding.visit])
            lesson.related_findings.set([finding])
