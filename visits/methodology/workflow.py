"""
The workflow of the jointly agreed methodology: drafting a version, consulting
every partner country, adopting, comparing versions. Each function checks its
preconditions and raises MethodologyError with a message for the user when one
fails. Proposals drawn from lessons and findings are in :mod:`.revisions`.
"""

import difflib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.concurrency import STALE_MESSAGE
from countries.models import Country, Membership

from . import notices
from .models import (
    ConsultationComment,
    ConsultationReminder,
    Criterion,
    CriterionComment,
    Endorsement,
    MethodologyVersion,
    partner_focal_points,
)
from .tasks import _mail_focal_points, notify_consultation_opened

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
    # With their history: the history of the consultation shows the remarks of every answer.
    bulk_create_with_history(
        [
            CriterionComment(
                endorsement=endorsement,
                criterion_id=pk,
                criterion_code=codes[pk],
                text=text.strip(),
            )
            for pk, text in criterion_comments.items()
            if text.strip() and pk in codes
        ],
        CriterionComment,
        default_user=user,
    )
    return endorsement


@transaction.atomic
def send_reminder(version, user):
    """Remind by e-mail the focal points of the partner countries that have not answered.
    At most one reminder per version per CONSULTATION_REMINDER_INTERVAL: the version's row
    is locked, so of two coordinators clicking at once the second finds the first's reminder
    and is refused. The reminder is recorded; the e-mails leave when the transaction commits."""
    version = MethodologyVersion.objects.select_for_update().get(pk=version.pk)
    if not version.in_consultation:
        raise MethodologyError(
            _("Version %(number)s is not in consultation: there is nobody to remind.")
            % {"number": version.number}
        )
    now = timezone.now()
    if not version.may_be_reminded(now=now):
        next_at = timezone.localtime(version.next_reminder_at())
        raise MethodologyError(
            _(
                "The focal points were reminded less than %(hours)s hours ago. The next "
                "reminder can be sent from %(date)s."
            )
            % {
                "hours": int(settings.CONSULTATION_REMINDER_INTERVAL.total_seconds() // 3600),
                "date": date_format(next_at, "DATETIME_FORMAT"),
            }
        )
    missing = version.adoption_blockers().missing
    if not missing:
        raise MethodologyError(_("Every partner country has answered: there is nobody to remind."))
    reminder = ConsultationReminder.objects.record(version, missing, sent_by=user)
    transaction.on_commit(lambda: _mail_focal_points(version, missing, "consultation_reminder"))
    return reminder


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
    # The partners' staff: their plans follow the new version from now on.
    staff = Membership.objects.filter(role=Membership.Role.STAFF).users()
    notices.version_adopted(version, staff, user)
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


def open_consultations(country_ids=(), progress=False):
    """[(version, [answers of the given countries])] for the versions in consultation. With
    ``progress``, each version also carries its ``progress`` (MethodologyVersion.
    consultation_progress: answered N of M, objections, who is late), in four queries
    however many versions and countries there are."""
    versions = list(
        MethodologyVersion.objects.filter(status=Status.CONSULTATION).order_by("deadline")
    )
    endorsements = Endorsement.objects.filter(version__in=versions).select_related("country")
    if not progress:
        endorsements = endorsements.filter(country_id__in=country_ids)
    rounds = {version.pk: version.consultation_round for version in versions}
    current = {}  # version pk: the answers of its current round
    for endorsement in endorsements:
        if endorsement.consultation_round == rounds[endorsement.version_id]:
            current.setdefault(endorsement.version_id, []).append(endorsement)
    if progress and versions:
        partners = list(Country.objects.partners())
        focal_points = partner_focal_points()
        for version in versions:
            version.progress = version.consultation_progress(
                current.get(version.pk, []), partners, focal_points
            )
    return [
        (version, [e for e in current.get(version.pk, []) if e.country_id in country_ids])
        for version in versions
    ]


def history_reason(record, earlier):
    """Why a version reached the state of a history record: the note of its return to draft."""
    returned = earlier is not None and earlier.status != record.status
    if returned and record.status == Status.DRAFT:
        return record.return_note
    return ""
