from .methodology import (
    ConsultationComment,
    Criterion,
    CriterionComment,
    Endorsement,
    MethodologyVersion,
    Phase,
)

__all__ = [
    "ConsultationComment",
    "Criterion",
    "CriterionComment",
    "Endorsement",
    "MethodologyVersion",
    "Phase",
]
