"""
Demo methodology: version 1 adopted, with criteria drawn from what the
programme describes, and version 2 in consultation with some answers and one
objection, so that the consultation board shows every state.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from countries.models import Country

from .models import Criterion, CriterionComment, Endorsement, MethodologyVersion, Phase

# code, phase, title, text, rationale
CRITERIA_V1 = [
    ("PLAN-01", Phase.PLANNING, "Objectives defined jointly by host and visitors",
     "The host and the visiting countries define the objectives of each visit together, in "
     "writing, before the agenda is drafted.",
     "Visits whose objectives were agreed by all sides produced the most relevant exchanges."),
    ("PLAN-02", Phase.PLANNING, "Mixed political and technical delegations",
     "Each visiting delegation includes at least one political and one technical "
     "representative of its institution.",
     "Political delegates commit their institutions; technical delegates carry the practice "
     "home."),
    ("PLAN-03", Phase.PLANNING, "A focus the visitors need",
     "Each visit concentrates on a component of the host's care system that the visiting "
     "countries have identified as relevant for their own.", ""),
    ("PLAN-04", Phase.PLANNING, "Resources and time planned and measured",
     "The plan states the expected cost per category and the person-days of political and of "
     "technical delegates; the systematisation compares them with the actual figures.",
     "Efficient management of resources and time is measured, not claimed."),
    ("PREP-01", Phase.PREPARATION, "An agenda that spares high-level officials' time",
     "The agenda concentrates the participation of high-level officials in dedicated sessions "
     "of at most one day; technical teams carry the rest of the programme.",
     "Official missions of high-level officials are the scarcest resource of the programme."),
    ("PREP-02", Phase.PREPARATION, "Actors beyond government",
     "The agenda includes meetings with academic institutions, civil society, technical teams "
     "and users of the care system.",
     "Their involvement was one of the main gains of the jointly built methodology."),
    ("PREP-03", Phase.PREPARATION, "Background shared in advance",
     "The host shares a short background note on the practices to be observed at least two "
     "weeks before the visit.", ""),
    ("COND-01", Phase.CONDUCT, "Exchanges between providers and beneficiaries",
     "Site visits include direct exchanges with the people who provide and the people who "
     "receive care services.", ""),
    ("COND-02", Phase.CONDUCT, "Daily debriefing",
     "The delegations meet at the end of each day to record observations and emerging "
     "recommendations.", ""),
    ("COND-03", Phase.CONDUCT, "Every participant evaluates the visit",
     "Every participant fills the evaluation of the visit before leaving.", ""),
    ("SYST-01", Phase.SYSTEMATISATION, "Systematisation after each visit",
     "Within six weeks, host and visitors jointly produce the systematisation of the visit: "
     "best practices, challenges and recommendations.", ""),
    ("SYST-02", Phase.SYSTEMATISATION, "Recommendations with an addressee",
     "Each recommendation names the actor it is addressed to.", ""),
    ("SYST-03", Phase.SYSTEMATISATION, "Lessons on the methodology itself",
     "Each systematisation records what the visit taught about the methodology, to be "
     "considered in its next revision.",
     "The methodology was built visit after visit from these lessons."),
    ("FOLL-01", Phase.FOLLOW_UP, "Recommendations followed up beyond the project",
     "The host reports on the follow-up of each recommendation six and twelve months after "
     "the visit, also after the project closes.", ""),
    ("FOLL-02", Phase.FOLLOW_UP, "A knowledge base that outlives the project",
     "Systematisations and lessons learnt are published in the knowledge bank, open to the "
     "partners and to other programmes.", ""),
]  # fmt: skip

# Version 2 changes PREP-01 and adds PREP-04.
PREP_01_V2 = (
    "The agenda concentrates the participation of high-level officials in one half-day "
    "session with the host's authorities, which they may also join remotely; technical teams "
    "carry the rest of the programme."
)
PREP_04_V2 = (
    "PREP-04", Phase.PREPARATION, "Interpretation planned",
    "When the delegations do not share a language, the plan budgets interpretation for every "
    "session, including site visits.",
    "Illustrative: proposed after a visit where Portuguese–Spanish exchanges lost time.",
)  # fmt: skip

ADOPTED_ON = datetime(2022, 2, 15, 12, 0)


def load():
    if MethodologyVersion.objects.exists():
        return
    User = get_user_model()
    coordinator = User.objects.get(username="coordinator")

    v1 = MethodologyVersion.objects.create(
        number=1,
        status=MethodologyVersion.Status.ADOPTED,
        summary="The criteria and guidelines the partners built together during the first "
        "visits of the programme.",
        consultation_round=1,
        created_by=coordinator,
        opened_by=coordinator,
        adopted_by=coordinator,
        closed_by=coordinator,
        opened_at=timezone.make_aware(ADOPTED_ON - timedelta(days=30)),
        adopted_at=timezone.make_aware(ADOPTED_ON),
        closed_at=timezone.make_aware(ADOPTED_ON),
    )
    criteria_v1 = bulk_create_with_history(
        [
            Criterion(
                version=v1,
                code=code,
                phase=phase,
                title=title,
                text=text,
                rationale=rationale,
                order=order,
            )
            for order, (code, phase, title, text, rationale) in enumerate(CRITERIA_V1, start=1)
        ],
        Criterion,
        default_user=coordinator,
    )
    partners = list(Country.objects.filter(programme_role=Country.ProgrammeRole.PARTNER))
    for country in partners:
        Endorsement.objects.create(
            version=v1,
            country=country,
            consultation_round=1,
            answer=Endorsement.Answer.AGREE,
            given_by=User.objects.get(username=f"staff-{country.code.code.lower()}"),
        )

    v2 = MethodologyVersion.objects.create(
        number=2,
        previous=v1,
        status=MethodologyVersion.Status.CONSULTATION,
        summary="Revised with the lessons of the visits so far: a shorter commitment of "
        "high-level officials and interpretation planned from the start (illustrative).",
        consultation_round=1,
        deadline=timezone.localdate() + timedelta(days=20),
        created_by=coordinator,
        opened_by=coordinator,
        opened_at=timezone.now() - timedelta(days=10),
    )
    criteria_v2 = []
    for criterion in criteria_v1:
        criteria_v2.append(
            Criterion(
                version=v2,
                code=criterion.code,
                phase=criterion.phase,
                title=criterion.title,
                text=PREP_01_V2 if criterion.code == "PREP-01" else criterion.text,
                rationale=criterion.rationale,
                order=criterion.order,
                derived_from=criterion,
            )
        )
    code, phase, title, text, origin = PREP_04_V2
    criteria_v2.append(
        Criterion(
            version=v2, code=code, phase=phase, title=title, text=text, origin=origin, order=8
        )
    )
    criteria_v2 = bulk_create_with_history(criteria_v2, Criterion, default_user=coordinator)

    by_code = {c.code: c for c in criteria_v2}
    answers = {
        "UY": (Endorsement.Answer.AGREE, "", {}),
        "PY": (Endorsement.Answer.AGREE, "", {}),
        "CL": (
            Endorsement.Answer.AGREE_WITH_COMMENTS,
            "Chile agrees; interpretation should also cover the documents shared in advance.",
            {"PREP-04": "Include the translation of the background note (PREP-03)."},
        ),
        "CO": (
            Endorsement.Answer.OBJECT,
            "A half-day is too short for vice-ministers to see a service at work: Colombia asks "
            "to keep the option of one full day for high-level officials.",
            {"PREP-01": "Keep “at most one day” and add the remote option."},
        ),
    }
    countries = {c.code.code: c for c in partners}
    for code, (answer, comment, remarks) in answers.items():
        endorsement = Endorsement.objects.create(
            version=v2,
            country=countries[code],
            consultation_round=1,
            answer=answer,
            comment=comment,
            given_by=User.objects.get(username=f"staff-{code.lower()}"),
        )
        for criterion_code, text in remarks.items():
            CriterionComment.objects.create(
                endorsement=endorsement, criterion=by_code[criterion_code], text=text
            )
