from .methodology import (
    ConsultationComment,
    Criterion,
    CriterionComment,
    Endorsement,
    MethodologyVersion,
    Phase,
    RevisionProposal,
)
from .report import ReportJob
from .visit import (
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

__all__ = [
    "AgendaItem",
    "Attachment",
    "BudgetLine",
    "ComplianceCheck",
    "ConsultationComment",
    "Criterion",
    "CriterionComment",
    "Delegation",
    "Endorsement",
    "Evaluation",
    "Finding",
    "MethodologyVersion",
    "Participant",
    "Phase",
    "ReportJob",
    "RevisionProposal",
    "ThematicFocus",
    "Visit",
]
