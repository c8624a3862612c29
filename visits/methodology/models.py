"""
The methodology of the visits: versions of criteria and guidelines that all
partner countries agree jointly, through a consultation of their focal points.

The revision loop is the one place where this app points up to the knowledge bank
(lessons/ sits above visits/): a criterion remembers the lesson that proposed it
(``Criterion.origin_lesson``) and a proposal the lesson it came from
(``RevisionProposal.lesson``). Both are foreign keys named by string; no module of
visits/ imports lessons/. The lesson's side (its title, whether a user may see it) is
reached through these relations.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.concurrency import RevisionedModel
from countries.models import Country, Membership
from countries.roles import roles_of, sees_everything


class Phase(models.TextChoices):
    """The phases of a visit, from planning to systematisation and beyond."""

    PLANNING = "planning", _("Planning")
    PREPARATION = "preparation", _("Preparation")
    CONDUCT = "conduct", _("Conduct")
    SYSTEMATISATION = "systematisation", _("Systematisation")
    FOLLOW_UP = "follow_up", _("Follow-up")


class MethodologyVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every member of the programme follows the versions and their consultations."""
        return self.all() if sees_everything(user) or roles_of(user).is_member else self.none()

    def adopted(self):
        return self.filter(status=MethodologyVersion.Status.ADOPTED)

    def in_progress(self):
        return self.filter(
            status__in=[MethodologyVersion.Status.DRAFT, MethodologyVersion.Status.CONSULTATION]
        )


class MethodologyVersion(RevisionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONSULTATION = "consultation", _("In consultation")
        ADOPTED = "adopted", _("Adopted")
        SUPERSEDED = "superseded", _("Superseded")

    number = models.PositiveIntegerField(_("number"), unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(_("summary of changes"), blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
    )
    # Each opening of the consultation starts a new round: answers given on an
    # earlier text stay on record but no longer count.
    consultation_round = models.PositiveIntegerField(_("consultation round"), default=0)
    deadline = models.DateField(_("deadline for answers"), null=True, blank=True)
    return_note = models.TextField(_("note on returning to draft"), blank=True)
    reminder_sent_round = models.PositiveIntegerField(default=0, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("consultation opened"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultation opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("consultation closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultation closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adopted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = MethodologyVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("methodology version")
        verbose_name_plural = _("methodology versions")
        ordering = ["-number"]
        permissions = [
            ("open_consultation", _("Can open the consultation on a version")),
            ("adopt_version", _("Can adopt a version")),
            ("return_version", _("Can return a version to draft")),
        ]
        constraints = [
            # "Exactly one adopted version at a time", enforced by the database too.
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="adopted"),
                name="one_adopted_methodology_version",
            ),
        ]

    def __str__(self):
        return _("Methodology version %(number)s") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("methodology:version_detail", args=[self.number])

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def in_consultation(self):
        return self.status == self.Status.CONSULTATION

    @property
    def is_adopted(self):
        return self.status == self.Status.ADOPTED

    def current_endorsements(self):
        return self.endorsements.filter(consultation_round=self.consultation_round)

    def adoption_blockers(self, endorsements=None, partners=None):
        """What stands between this version in consultation and its adoption: "jointly
        agreed" means every partner country answered and none objects."""
        if endorsements is None:
            endorsements = self.current_endorsements().select_related("country")
        if partners is None:
            partners = Country.objects.partners()
        endorsements = list(endorsements)
        partners = list(partners)
        answered = {e.country_id for e in endorsements}
        return AdoptionBlockers(
            missing=[c for c in partners if c.pk not in answered],
            objections=[e for e in endorsements if e.answer == Endorsement.Answer.OBJECT],
            answers=endorsements,
            asked=len(partners),
        )

    def consultation_progress(self, endorsements=None, partners=None, focal_points=None):
        """The adoption's blockers with who is late: the focal points of every partner country
        that has not answered the current round. ``focal_points`` (memberships, from
        ``Membership.objects.focal_points()``) saves the query when several versions are shown."""
        progress = self.adoption_blockers(endorsements, partners)
        if focal_points is None:
            # Those of every partner, filtered here: one query however many have answered.
            focal_points = partner_focal_points()
        late = {c.pk for c in progress.missing}
        for membership in focal_points:
            if membership.actor.country_id in late:
                progress.focal_points.setdefault(membership.actor.country_id, []).append(
                    membership.user
                )
        return progress

    def answer_history(self):
        """[(country, [answers])]: every answer given in this version's consultation, per
        country, oldest first, read from the endorsements' history records (each save keeps
        the answer, its comment, who gave it and when) with the remarks on criteria it came
        with (``remarks``, from the remarks' history records). An answer that withdraws the
        objection before it, in the same round, has ``withdraws_objection`` set."""
        records = list(
            Endorsement.history.filter(version_id=self.pk)
            .exclude(history_type="-")
            .select_related("country", "given_by")
            .order_by("country__code", "consultation_round", "history_date", "history_id")
        )
        # The remarks on criteria an answer came with were written just after it was saved,
        # before the next answer of that country.
        remarks = {}
        for remark in CriterionComment.history.filter(
            endorsement_id__in={r.id for r in records}, history_type="+"
        ).order_by("history_date", "history_id"):
            remarks.setdefault(remark.endorsement_id, []).append(remark)
        by_country, previous = [], None
        for index, record in enumerate(records):
            if not by_country or by_country[-1][0].pk != record.country_id:
                by_country.append((record.country, []))
                previous = None
            following = records[index + 1] if index + 1 < len(records) else None
            until = following.history_date if following and following.id == record.id else None
            record.remarks = sorted(
                (
                    remark
                    for remark in remarks.get(record.id, [])
                    if remark.history_date >= record.history_date
                    and (until is None or remark.history_date < until)
                ),
                key=lambda remark: remark.criterion_code,
            )
            record.withdraws_objection = (
                previous is not None
                and previous.consultation_round == record.consultation_round
                and previous.answer == Endorsement.Answer.OBJECT
                and record.answer != Endorsement.Answer.OBJECT
            )
            by_country[-1][1].append(record)
            previous = record
        return by_country

    def next_reminder_at(self, reminders=None):
        """When the focal points may be reminded again (None: now). Reminders of a version,
        sent by hand or by the beat, are at least CONSULTATION_REMINDER_INTERVAL apart.
        ``reminders`` are this version's, the newest first, when already loaded."""
        if reminders is None:
            reminders = self.reminders.all()[:1]
        last = next(iter(reminders), None)
        if last is None:
            return None
        return last.sent_at + settings.CONSULTATION_REMINDER_INTERVAL

    def may_be_reminded(self, reminders=None, now=None):
        next_at = self.next_reminder_at(reminders)
        return next_at is None or next_at <= (now or timezone.now())


def partner_focal_points():
    """The focal points of every partner country, with their users and countries."""
    return list(
        Membership.objects.focal_points()
        .filter(actor__country__programme_role=Country.ProgrammeRole.PARTNER)
        .order_by("user__last_name", "user__first_name", "user__username")
    )


@dataclass
class AdoptionBlockers:
    """Where a consultation stands: who has not answered, who objects, out of how many."""

    missing: list = field(default_factory=list)  # countries that have not answered
    objections: list = field(default_factory=list)  # endorsements that object
    answers: list = field(default_factory=list)  # every answer of the current round
    asked: int = 0  # the partner countries asked
    # The focal points of the countries that have not answered, by country pk (filled by
    # MethodologyVersion.consultation_progress).
    focal_points: dict = field(default_factory=dict)

    def __bool__(self):
        return bool(self.missing or self.objections)

    @property
    def answered(self):
        return len(self.answers)

    def late(self):
        """[(country, [focal point users])] for every country that has not answered."""
        return [(country, self.focal_points.get(country.pk, [])) for country in self.missing]

    def summary(self):
        """ "3 of 6 answered, 1 objection"."""
        answered = gettext("%(answered)s of %(asked)s answered") % {
            "answered": self.answered,
            "asked": self.asked,
        }
        objections = ngettext(
            "%(count)s objection", "%(count)s objections", len(self.objections)
        ) % {"count": len(self.objections)}
        return f"{answered}, {objections}"

    def messages(self):
        found = []
        if self.missing:
            found.append(
                gettext("No answer yet from: %(countries)s.")
                % {"countries": ", ".join(str(c) for c in self.missing)}
            )
        for endorsement in self.objections:
            found.append(
                gettext("%(country)s objects: %(reason)s")
                % {"country": endorsement.country, "reason": endorsement.comment}
            )
        return found


class ConsultationReminderQuerySet(models.QuerySet):
    def record(self, version, countries, sent_by=None):
        """Record a reminder of the current round to ``countries`` (sent_by None: the beat)."""
        reminder = self.create(
            version=version, consultation_round=version.consultation_round, sent_by=sent_by
        )
        reminder.countries.set(countries)
        return reminder


class ConsultationReminder(models.Model):
    """A reminder e-mailed to the focal points of the countries that had not answered."""

    version = models.ForeignKey(
        MethodologyVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    consultation_round = models.PositiveIntegerField(_("consultation round"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the automatic reminder before the deadline."),
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries reminded"), related_name="+"
    )

    objects = ConsultationReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation reminder")
        verbose_name_plural = _("consultation reminders")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return gettext("Reminder on version %(number)s, %(date)s") % {
            "number": self.version.number,
            "date": self.sent_at.date(),
        }

    @property
    def is_automatic(self):
        return self.sent_by_id is None


class Criterion(RevisionedModel):
    """One criterion or guideline of a methodology version."""

    code = models.CharField(
        _("code"),
        max_length=20,
        validators=[
            RegexValidator(
                r"^[A-Z]{2,6}-\d{2,3}$",
                _("Use capital letters, a hyphen and two or three digits, e.g. PLAN-03."),
            )
        ],
    )
    version = models.ForeignKey(
        MethodologyVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    rationale = models.TextField(_("rationale"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    origin = models.TextField(
        _("origin"),
        blank=True,
        help_text=_("The lesson, finding or discussion that proposed this criterion."),
    )
    # The lesson or finding that proposed this criterion (the loop back from the visits;
    # the revision loop, see the module's docstring).
    origin_lesson = models.ForeignKey(
        "lessons.Lesson",
        verbose_name=_("proposed by the lesson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_criteria",
    )
    origin_finding = models.ForeignKey(
        "visits.Finding",
        verbose_name=_("proposed by the finding"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_criteria",
    )
    # The criterion of the previous version that this one continues, for the diff.
    derived_from = models.ForeignKey(
        "self",
        verbose_name=_("continues"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
    )

    history = HistoricalRecords()

    COMPARED_FIELDS = ["code", "phase", "title", "text", "rationale"]

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["order", "code"]
        permissions = [("restore_criterion", _("Can restore an earlier state of a criterion"))]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_criterion_code"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def differs_from(self, other):
        return any(getattr(self, f) != getattr(other, f) for f in self.COMPARED_FIELDS)


class Endorsement(RevisionedModel):
    """A partner country's answer in a consultation, given by its focal point."""

    class Answer(models.TextChoices):
        AGREE = "agree", _("Agree")
        AGREE_WITH_COMMENTS = "agree_with_comments", _("Agree with comments")
        OBJECT = "object", _("Object")

    version = models.ForeignKey(
        MethodologyVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="endorsements",
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    consultation_round = models.PositiveIntegerField(_("consultation round"))
    answer = models.CharField(_("answer"), max_length=30, choices=Answer.choices)
    comment = models.TextField(_("comment"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    given_at = models.DateTimeField(_("date"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["country__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "country", "consultation_round"],
                name="one_answer_per_country_and_round",
            ),
        ]

    def __str__(self):
        return f"{self.country} – {self.get_answer_display()}"

    @property
    def objects_to_version(self):
        return self.answer == self.Answer.OBJECT


class CriterionComment(models.Model):
    """A country's remark on one criterion, part of its answer.

    The remark keeps the criterion's code: a criterion retired from a version returned to
    draft leaves the remarks of earlier rounds in place, still saying what they were about.
    """

    endorsement = models.ForeignKey(
        Endorsement,
        verbose_name=_("endorsement"),
        on_delete=models.CASCADE,
        related_name="criterion_comments",
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    criterion_code = models.CharField(_("code"), max_length=20, editable=False)
    text = models.TextField(_("comment"))

    # An answer replaces its remarks; their history keeps those of every earlier answer
    # (MethodologyVersion.answer_history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comment on a criterion")
        verbose_name_plural = _("comments on criteria")
        ordering = ["criterion__order", "criterion_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["endorsement", "criterion"], name="one_comment_per_criterion"
            ),
        ]

    def __str__(self):
        return f"{self.criterion_code}: {self.text[:60]}"

    def save(self, *args, **kwargs):
        if self.criterion_id and not self.criterion_code:
            self.criterion_code = self.criterion.code
        super().save(*args, **kwargs)


class ConsultationComment(models.Model):
    """A remark by any member of the programme during a consultation."""

    version = models.ForeignKey(
        MethodologyVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation comment")
        verbose_name_plural = _("consultation comments")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.author}: {self.text[:60]}"


class RevisionProposal(models.Model):
    """A proposed new or changed criterion, drawn from a lesson or a visit's finding.

    A coordinator's proposal lands in the draft version at once; a focal point's waits
    as a suggestion until a coordinator accepts it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Suggested")
        ACCEPTED = "accepted", _("In the draft")

    # The revision loop, see the module's docstring.
    lesson = models.ForeignKey(
        "lessons.Lesson",
        verbose_name=_("lesson"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revision_proposals",
    )
    finding = models.ForeignKey(
        "visits.Finding",
        verbose_name=_("finding"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revision_proposals",
    )
    revises = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion to change"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty to propose a new criterion."),
    )
    code = models.CharField(_("code"), max_length=20, validators=Criterion.code.field.validators)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    rationale = models.TextField(_("rationale"), blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT
    )
    proposed_at = models.DateTimeField(_("date"), auto_now_add=True)
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion in the draft"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )

    class Meta:
        verbose_name = _("revision proposal")
        verbose_name_plural = _("revision proposals")
        ordering = ["-proposed_at"]
        permissions = [("accept_proposal", _("Can accept a suggested revision"))]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def source(self):
        return self.lesson or self.finding
