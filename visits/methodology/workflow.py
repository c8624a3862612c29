"""
The workflow of the jointly agreed methodology: drafting a version, consulting
every partner country, adopting, comparing versions. Each function checks its
preconditions and raises MethodologyError with a message for the user when one
fails. Proposals drawn from lessons and findings are in :mod:`.revisions`.
"""

import difflib
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.concurrency import STALE_MESSAGE

from .models import (
    ConsultationComment,
    Criterion,
    CriterionComment,
    Endorsement,
    MethodologyVersion,
)
from .tasks import notify_consultation_opened

Status = MethodologyVersion.Status
Answer = Endorsement.Answer


class MethodologyError(Exception):
    """A rule of the methodology workflow refused the action; the message says why."""


def adopted_version():
    return MethodologyVersion.objects.adopted().first()


def lock_versions():
    """Lock every version row, in a fixed order: transitions run one at a time."""
    return {v.pk: v for v in MethodologyVersion.objects.select_for_update().order_by("pk")}


def require_draft(version):
    if not version.is_draft:
        raise MethodologyError(
            _("Version %(number)s is %(status)s: only a draft version can be changed.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )


# --- drafting ----------------------------------------------------------------


def _still_open(number, status):
    return MethodologyError(
        _("Version %(number)s is still %(status)s: adopt it or work on it before drafting another.")
        % {"number": number, "status": str(status).lower()}
    )


@transaction.atomic
def draft_new_version(user):
    """A new draft version, a copy of the adopted one."""
    lock_versions()
    # Read again once the lock is ours: a new statement also sees a version that whoever
    # held the lock drafted meanwhile (the locking read returns only the rows it found).
    versions = list(MethodologyVersion.objects.order_by("pk"))
    for version in versions:
        if version.status in (Status.DRAFT, Status.CONSULTATION):
            raise _still_open(version.number, version.get_status_display())
    base = next((v for v in versions if v.status == Status.ADOPTED), None)
    number = max((v.number for v in versions), default=0) + 1
    try:
        # In a savepoint: on an empty table there was no row to lock, and a draft made at the
        # same moment takes the number first.
        with transaction.atomic():
            draft = MethodologyVersion.objects.create(number=number, previous=base, created_by=user)
    except IntegrityError:
        raise _still_open(number, Status.DRAFT.label) from None
    if base is not None:
        bulk_create_with_history(
            [
                Criterion(
                    version=draft,
                    code=c.code,
                    phase=c.phase,
                    title=c.title,
                    text=c.text,
                    rationale=c.rationale,
                    order=c.order,
                    origin=c.origin,
                    derived_from=c,
                )
                for c in base.criteria.all()
            ],
            Criterion,
            default_user=user,
        )
    return draft


def check_criterion_code(version, code, exclude=None):
    """Criterion codes are unique within a version."""
    clash = version.criteria.filter(code=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError(
            _("Version %(number)s already has a criterion %(code)s."),
            params={"number": version.number, "code": code},
            code="duplicate_code",
        )


@transaction.atomic
def retire_criterion(criterion):
    version = MethodologyVersion.objects.select_for_update().get(pk=criterion.version_id)
    require_draft(version)
    criterion.delete()


@transaction.atomic
def move_criterion(criterion, step):
    """Move a criterion up (-1) or down (+1) among the criteria of its phase."""
    version = MethodologyVersion.objects.select_for_update().get(pk=criterion.version_id)
    require_draft(version)
    siblings = list(version.criteria.filter(phase=criterion.phase))
    index = next(i for i, c in enumerate(siblings) if c.pk == criterion.pk)
    target = index + step
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.order != position:
            sibling.order = position
            sibling.revision += 1
            sibling.save(update_fields=["order", "revision"])


def next_order(version, phase):
    last = version.criteria.filter(phase=phase).order_by("-order").first()
    return last.order + 1 if last else 1


# --- consultation --------------------------------------------------------------


@transaction.atomic
def open_consultation(version, user, deadline):
    version = lock_versions()[version.pk]
    require_draft(version)
    if not version.criteria.exists():
        raise MethodologyError(_("A version without criteria cannot be put to consultation."))
    if deadline <= timezone.localdate():
        raise MethodologyError(_("The deadline must be a day in the future."))
    version.status = Status.CONSULTATION
    version.consultation_round += 1
    version.deadline = deadline
    version.opened_at = timezone.now()
    version.opened_by = user
    version.closed_at = version.closed_by = None
    version.revision += 1
    version.save()
    transaction.on_commit(lambda: notify_consultation_opened.delay(version.pk))
    return version


def check_answer(answer, comment, criterion_comments):
    """An objection needs a reason; comments need comments."""
    has_comments = bool(comment.strip()) or any(t.strip() for t in criterion_comments.values())
    if answer == Answer.OBJECT and not comment.strip():
        raise ValidationError(
            {
                "comment": _(
                    "An objection needs a reason: say what must change for your country to agree."
                )
            }
        )
    if answer == Answer.AGREE_WITH_COMMENTS and not has_comments:
        raise ValidationError(
            {"comment": _("Write your comments, in general or on the criteria concerned.")}
        )


@transaction.atomic
def answer_consultation(
    version, country, user, answer, comment="", criterion_comments=None, expected_revision=0
):
    """Record (or change) a country's answer. expected_revision is that of the answer shown."""
    criterion_comments = criterion_comments or {}
    version = MethodologyVersion.objects.select_for_update().get(pk=version.pk)
    if not version.in_consultation:
        raise MethodologyError(
            _("Version %(number)s is not in consultation: answers are closed.")
            % {"number": version.number}
        )
    if not country.is_partner:
        raise MethodologyError(_("Only partner countries answer consultations."))
    check_answer(answer, comment, criterion_comments)

    endorsement = (
        Endorsement.objects.select_for_update()
        .filter(version=version, country=country, consultation_round=version.consultation_round)
        .select_related("given_by")
        .first()
    )
    if endorsement is None:
        if expected_revision:
            raise MethodologyError(
                _("The answer you changed no longer exists. Please answer again.")
            )
        endorsement = Endorsement(
            version=version, country=country, consultation_round=version.consultation_round
        )
    elif endorsement.revision != expected_revision:
        raise MethodologyError(STALE_MESSAGE)
    else:
        endorsement.revision += 1
    endorsement.answer = answer
    endorsement.comment = comment.strip()
    endorsement.given_by = user
    endorsement.save()

    endorsement.criterion_comments.all().delete()
    codes = dict(version.criteria.values_list("pk", "code"))
    CriterionComment.objects.bulk_create(
        CriterionComment(
            endorsement=endorsement, criterion_id=pk, criterion_code=codes[pk], text=text.strip()
        )
        for pk, text in criterion_comments.items()
        if text.strip() and pk in codes
    )
    return endorsement


def add_comment(version, user, text, criterion=None):
    if not version.in_consultation:
        raise MethodologyError(_("Comments are open while the version is in consultation."))
    return ConsultationComment.objects.create(
        version=version, author=user, text=text.strip(), criterion=criterion
    )


@transaction.atomic
def adopt(version, user):
    """Adopt a version every partner agreed to; the adopted one before it is superseded."""
    versions = lock_versions()
    version = versions[version.pk]
    if not version.in_consultation:
        raise MethodologyError(
            _("Only a version in consultation can be adopted; version %(number)s is %(status)s.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )
    current = next((v for v in versions.values() if v.status == Status.ADOPTED), None)
    if current is not None and version.previous_id != current.pk:
        raise MethodologyError(
            _(
                "Version %(current)s was adopted in the meantime, and version %(number)s does "
                "not build on it. Return it to draft and draft again from the adopted version."
            )
            % {"current": current.number, "number": version.number}
        )
    blockers = version.adoption_blockers()
    if blockers:
        raise MethodologyError(
            " ".join([_("The version cannot be adopted yet."), *blockers.messages()])
        )
    now = timezone.now()
    if current is not None:
        current.status = Status.SUPERSEDED
        current.revision += 1
        current.save()
    version.status = Status.ADOPTED
    version.adopted_at = version.closed_at = now
    version.adopted_by = version.closed_by = user
    version.revision += 1
    version.save()
    return version


@transaction.atomic
def return_to_draft(version, user, note):
    version = lock_versions()[version.pk]
    if not version.in_consultation:
        raise MethodologyError(_("Only a version in consultation can be returned to draft."))
    if not note.strip():
        raise MethodologyError(_("Say why the version goes back to draft."))
    version.status = Status.DRAFT
    version.return_note = note.strip()
    version.closed_at = timezone.now()
    version.closed_by = user
    version.revision += 1
    version.save()
    return version


# --- comparing versions ---------------------------------------------------------


@dataclass
class CriterionChange:
    kind: str  # "added", "changed", "removed"
    old: Criterion | None
    new: Criterion | None

    def text_diff(self):
        return diff_words(self.old.text if self.old else "", self.new.text if self.new else "")

    def title_diff(self):
        return diff_words(self.old.title if self.old else "", self.new.title if self.new else "")


def compare_versions(version, criteria=None, previous_criteria=None):
    """The added, changed and removed criteria of a version against its previous one."""
    if criteria is None:
        criteria = list(version.criteria.all())
    if previous_criteria is None:
        previous_criteria = list(version.previous.criteria.all()) if version.previous_id else []
    old_by_pk = {c.pk: c for c in previous_criteria}
    changes, continued = [], set()
    for criterion in criteria:
        old = old_by_pk.get(criterion.derived_from_id)
        if old is None:
            changes.append(CriterionChange("added", None, criterion))
        else:
            continued.add(old.pk)
            if criterion.differs_from(old):
                changes.append(CriterionChange("changed", old, criterion))
    changes += [
        CriterionChange("removed", old, None)
        for old in previous_criteria
        if old.pk not in continued
    ]
    return changes


WORD = re.compile(r"\s+|[^\s]+")


def diff_words(old, new):
    """[(op, text)] with op in "equal", "delete", "insert": a word-level diff."""
    a, b = WORD.findall(old), WORD.findall(new)
    result = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            result.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            result.append(("insert", "".join(b[j1:j2])))
        if op == "equal":
            result.append(("equal", "".join(a[i1:i2])))
    return result


def open_consultations(country_ids=()):
    """[(version, [answers of the given countries])] for the versions in consultation."""
    versions = list(
        MethodologyVersion.objects.filter(status=Status.CONSULTATION).order_by("deadline")
    )
    answers = {}
    for endorsement in Endorsement.objects.filter(
        version__in=versions, country_id__in=country_ids
    ).select_related("country"):
        answers.setdefault(endorsement.version_id, []).append(endorsement)
    return [
        (
            version,
            [
                e
                for e in answers.get(version.pk, [])
                if e.consultation_round == version.consultation_round
            ],
        )
        for version in versions
    ]
