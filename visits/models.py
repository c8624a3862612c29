"""
A peer-to-peer technical visit and everything recorded about it: delegations,
agenda, findings, evaluations, budget, compliance with the methodology and
attachments. The methodology's own models (versions, criteria, consultation) are
in :mod:`visits.methodology.models`; they belong to this app too.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.concurrency import RevisionedModel
from countries.models import Actor, Country, Person
from countries.roles import roles_of, sees_everything

# Importing them also registers every model of the methodology with this app.
from .methodology.models import Criterion, MethodologyVersion


class ThematicFocus(models.TextChoices):
    GOVERNANCE = "governance", _("Governance of the care system")
    EARLY_CHILDHOOD = "early_childhood", _("Early childhood care")
    OLDER_PEOPLE = "older_people", _("Care of older people")
    DISABILITY = "disability", _("Care of people with disabilities")
    CAREGIVERS = "caregivers", _("Paid and unpaid caregivers")
    TERRITORIAL = "territorial", _("Territorial care networks")
    INFORMATION = "information", _("Information and registry systems")
    FINANCING = "financing", _("Financing of care")


class VisitQuerySet(models.QuerySet):
    def being_planned(self):
        """Plans the host still writes: drafts and plans the coordinator returned."""
        return self.filter(status__in=Visit.PLANNING)

    def in_progress(self):
        """Visits between their approved plan and their closing."""
        return self.filter(
            status__in=[Visit.Status.PLANNED, Visit.Status.CONDUCTED, Visit.Status.SYSTEMATISED]
        )

    def involving_countries(self, country_ids):
        """Visits the countries host or send a delegation to (EXISTS, not a join: no
        duplicates to remove, and the count of a page stays cheap)."""
        return self.filter(
            models.Q(host_country_id__in=country_ids)
            | models.Exists(
                Delegation.objects.filter(visit=models.OuterRef("pk"), country_id__in=country_ids)
            )
        )

    def visible_to(self, user):
        """The visits `user` may see: all of them for coordinators and the project team, the
        visits their country hosts or joins for ministry staff. Visit.is_visible_to says the
        same of one visit."""
        if sees_everything(user):
            return self.all()
        return self.involving_countries(roles_of(user).staff_country_ids)


class Visit(RevisionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted — awaiting approval")
        RETURNED = "returned", _("Returned")
        PLANNED = "planned", _("Planned")
        CONDUCTED = "conducted", _("Conducted")
        SYSTEMATISED = "systematised", _("Systematised")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    # The host writes the plan in these; once submitted, the coordinator approves or returns it.
    PLANNING = (Status.DRAFT, Status.RETURNED)

    host_country = models.ForeignKey(
        Country, verbose_name=_("host country"), on_delete=models.PROTECT, related_name="+"
    )
    host_actors = models.ManyToManyField(
        Actor, verbose_name=_("host actors"), blank=True, related_name="hosted_visits"
    )
    sequence = models.PositiveIntegerField(_("visit number for the host"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    objectives = models.TextField(
        _("objectives"),
        blank=True,
        help_text=_("Defined jointly by the host and the visiting countries."),
    )
    thematic_focus = models.CharField(
        _("thematic focus"), max_length=30, choices=ThematicFocus.choices, blank=True
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    methodology_version = models.ForeignKey(
        MethodologyVersion,
        verbose_name=_("methodology version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="visits",
        help_text=_("The adopted version when the plan was approved."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    plan_submitted_at = models.DateTimeField(_("plan submitted"), null=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, editable=False)
    changes_since_approval = models.TextField(
        _("changes since the approval"),
        blank=True,
        editable=False,
        help_text=_("What changed in the approved plan: the coordinator approves it again."),
    )
    return_note = models.TextField(_("note of the coordinator"), blank=True, editable=False)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, editable=False)
    is_illustrative = models.BooleanField(
        _("illustrative demo content"),
        default=False,
        editable=False,
        help_text=_("Details invented for the demo where the programme's sources give none."),
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords(m2m_fields=[host_actors])
    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        # Undated drafts last, on every database.
        ordering = [models.F("start_date").desc(nulls_last=True), "-pk"]
        # The orders of the dashboards' lists (the few visits under way and drafts among years
        # of closed ones): their first rows are read from an index instead of sorting every
        # visit. The list's own order is an index on PostgreSQL only (SQLite cannot put NULLS
        # LAST in an index): migration 0011.
        indexes = [
            models.Index(
                fields=["start_date", "id"], name="visit_in_progress",
                condition=models.Q(status__in=["planned", "conducted", "systematised"]),
            ),
            models.Index(
                models.F("updated_at").desc(), name="visit_draft_recent",
                condition=models.Q(status__in=["draft", "returned"]),
            ),
            # The visits still open, by host: whose turn it is (visits/duties.py) is asked of
            # them on every page (the navigation bar's to-do count), never of the closed ones.
            models.Index(
                fields=["host_country", "id"], name="visit_open_by_host",
                condition=models.Q(status__in=[
                    "draft", "returned", "submitted", "planned", "conducted", "systematised",
                ]),
            ),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(
                fields=["host_country", "sequence"], name="unique_visit_sequence_per_host"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date"))
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True),
                name="visit_ends_after_it_starts",
            ),
        ]
        permissions = [
            ("submit_visit", _("Can submit the plan of a visit")),
            ("approve_visit", _("Can approve or return the plan of a visit")),
            ("transition_visit", _("Can move a visit through its workflow")),
            ("restore_visit", _("Can restore an earlier state of a visit")),
        ]

    def __str__(self):
        return f"{self.title} ({self.label})"

    def get_absolute_url(self):
        return reverse("visits:visit_detail", args=[self.pk])

    @property
    def label(self):
        """The programme's way of naming visits: "Paraguay, visit 2"."""
        return _("%(country)s, visit %(number)s") % {
            "country": self.host_country,
            "number": self.sequence,
        }

    @property
    def is_open(self):
        """Closed and cancelled visits no longer change (but recommendations are followed up)."""
        return self.status not in (self.Status.CLOSED, self.Status.CANCELLED)

    @property
    def took_place(self):
        """Conducted and after: its dates and city are history."""
        return self.status in (self.Status.CONDUCTED, self.Status.SYSTEMATISED, self.Status.CLOSED)

    @property
    def records_results(self):
        """Findings and evaluations are recorded from the approved plan until systematisation."""
        return self.status in (self.Status.PLANNED, self.Status.CONDUCTED, self.Status.SYSTEMATISED)

    def involved_country_ids(self):
        """The host and the countries of the delegations (uses a prefetch when present)."""
        return {self.host_country_id} | {d.country_id for d in self.delegations.all()}

    def is_visible_to(self, user):
        """Whether `user` may see this visit: Visit.objects.visible_to's rule, for one visit."""
        return sees_everything(user) or bool(
            roles_of(user).staff_country_ids & self.involved_country_ids()
        )

    @cached_property
    def unchecked_criteria(self):
        """The criteria of the visit's methodology version without a compliance check (read
        once per visit object: its page and the gaps of its next step both ask)."""
        if self.methodology_version_id is None:
            return []
        checked = self.compliance_checks.values_list("criterion_id", flat=True)
        return list(self.methodology_version.criteria.exclude(pk__in=checked))

    @property
    def duration_days(self):
        if self.start_date and self.end_date:
            return (self.end_date - self.start_date).days + 1
        return None

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The visit cannot end before it starts.")})

    def save(self, *args, **kwargs):
        if not self.sequence:
            last = Visit.objects.filter(host_country_id=self.host_country_id).aggregate(
                models.Max("sequence")
            )["sequence__max"]
            self.sequence = (last or 0) + 1
        super().save(*args, **kwargs)


class DelegationQuerySet(models.QuerySet):
    def _owing_conditions(self):
        """What a visiting delegation owes, as conditions: its participants until the visit
        takes place, then its findings and the evaluations of the participants who attended,
        until the visit is systematised."""
        participants = Participant.objects.filter(delegation=models.OuterRef("pk"))
        listing = models.Q(
            visit__status__in=[*Visit.PLANNING, Visit.Status.SUBMITTED, Visit.Status.PLANNED]
        )
        reporting = models.Q(visit__status=Visit.Status.CONDUCTED)
        return listing | reporting, {
            "owes_participants": listing & ~models.Exists(participants),
            "owes_findings": reporting
            & ~models.Exists(Finding.objects.filter(delegation=models.OuterRef("pk"))),
            "owes_evaluations": reporting
            & models.Exists(participants.filter(attended=True, evaluation__isnull=True)),
        }

    def owing_anything(self):
        """The visiting delegations that owe something (a count needs no more)."""
        under_way, owes = self._owing_conditions()
        anything = owes["owes_participants"] | owes["owes_findings"] | owes["owes_evaluations"]
        # Visits under way only, first: years of closed visits owe nothing and are not read.
        return self.filter(is_host=False).filter(under_way).filter(anything)

    def owing(self):
        """owing_anything(), with what each owes (`owes_participants`, `owes_findings`,
        `owes_evaluations`); visits/duties.py words them."""
        _under_way, owes = self._owing_conditions()
        flags = {
            name: models.ExpressionWrapper(condition, output_field=models.BooleanField())
            for name, condition in owes.items()
        }
        return self.owing_anything().annotate(**flags)


class Delegation(models.Model):
    """A country's delegation to a visit; the host team is a delegation too."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="delegations"
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    is_host = models.BooleanField(_("host team"), default=False, editable=False)
    actors = models.ManyToManyField(
        Actor, verbose_name=_("actors"), blank=True, related_name="delegations"
    )

    history = HistoricalRecords(m2m_fields=[actors])

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-is_host", "country__code"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "country"], name="one_delegation_per_country"),
        ]

    def __str__(self):
        if self.is_host:
            return _("Host team of %(country)s") % {"country": self.country}
        return _("Delegation of %(country)s") % {"country": self.country}


class Participant(models.Model):
    class Role(models.TextChoices):
        POLITICAL = "political", _("Political")
        TECHNICAL = "technical", _("Technical")
        OBSERVER = "observer", _("Observer")

    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("delegation"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    # Denormalised from the delegation so the database enforces one delegation per person.
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, editable=False, related_name="+")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    attended = models.BooleanField(_("attended"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["person__name"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "person"], name="one_delegation_per_person"),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        self.visit_id = self.delegation.visit_id
        super().save(*args, **kwargs)


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        SITE_VISIT = "site_visit", _("Site visit")
        MEETING = "meeting", _("Meeting")
        WORKSHOP = "workshop", _("Workshop")
        PRESENTATION = "presentation", _("Presentation")

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    day = models.DateField(_("day"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    responsible_actor = models.ForeignKey(
        Actor,
        verbose_name=_("responsible actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["day", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="agenda_item_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.start_time:%H:%M} {self.title}"

    def clean(self):
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The item must end after it starts.")
        visit = self.visit if self.visit_id else None
        if visit and self.day and visit.start_date and visit.end_date:
            if not visit.start_date <= self.day <= visit.end_date:
                errors["day"] = _(
                    "The day must fall within the visit, from %(start)s to %(end)s."
                ) % {"start": visit.start_date, "end": visit.end_date}
        if errors:
            raise ValidationError(errors)


class FindingQuerySet(models.QuerySet):
    def unfinished_recommendations(self):
        """Recommendations whose follow-up is not over (open, accepted or in progress)."""
        return self.filter(
            kind=Finding.Kind.RECOMMENDATION,
            follow_up_status__in=[
                Finding.FollowUp.OPEN,
                Finding.FollowUp.ACCEPTED,
                Finding.FollowUp.IN_PROGRESS,
            ],
        )

    def visible_to(self, user):
        """The findings of the visits `user` may see."""
        return self.filter(visit__in=Visit.objects.visible_to(user))

    def followed_up_by(self, user):
        """The unfinished recommendations `user` follows up: those of the visits their country
        hosted, for ministry staff; all, for coordinators and the project team."""
        found = self.unfinished_recommendations()
        staff_countries = roles_of(user).staff_country_ids
        if staff_countries:
            return found.filter(visit__host_country_id__in=staff_countries)
        return found.filter(visit__in=Visit.objects.visible_to(user))


class Finding(RevisionedModel):
    class Kind(models.TextChoices):
        BEST_PRACTICE = "best_practice", _("Best practice")
        RECOMMENDATION = "recommendation", _("Recommendation")
        CHALLENGE = "challenge", _("Challenge")

    class FollowUp(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        IMPLEMENTED = "implemented", _("Implemented")
        DECLINED = "declined", _("Declined")

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="findings"
    )
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("written by"),
        # A delegation with findings stays; deleting the whole visit takes both.
        on_delete=models.RESTRICT,
        related_name="findings",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    addressee = models.ForeignKey(
        Actor,
        verbose_name=_("addressed to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("related criterion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    follow_up_status = models.CharField(
        _("follow-up"), max_length=20, choices=FollowUp.choices, blank=True
    )
    host_response = models.TextField(_("response of the host"), blank=True)

    history = HistoricalRecords()
    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["kind", "pk"]
        indexes = [
            # The recommendations still followed up (dashboards, their list).
            models.Index(fields=["kind", "follow_up_status"], name="finding_follow_up"),
        ]
        permissions = [("respond_finding", _("Can respond to and follow up a recommendation"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.visit.get_absolute_url()}#finding-{self.pk}"

    @property
    def is_recommendation(self):
        return self.kind == self.Kind.RECOMMENDATION

    def save(self, *args, **kwargs):
        # Only recommendations are followed up.
        if self.is_recommendation and not self.follow_up_status:
            self.follow_up_status = self.FollowUp.OPEN
        elif not self.is_recommendation:
            self.follow_up_status = ""
        super().save(*args, **kwargs)


RATING = [MinValueValidator(1), MaxValueValidator(5)]


class Evaluation(RevisionedModel):
    """A participant's evaluation of the visit, on fixed dimensions from 1 to 5."""

    DIMENSIONS = ["preparation", "relevance", "exchange_quality", "use_of_time"]

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="evaluation",
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, editable=False, related_name="evaluations"
    )
    preparation = models.PositiveSmallIntegerField(_("preparation"), validators=RATING)
    relevance = models.PositiveSmallIntegerField(_("relevance"), validators=RATING)
    exchange_quality = models.PositiveSmallIntegerField(_("quality of exchange"), validators=RATING)
    use_of_time = models.PositiveSmallIntegerField(_("use of time"), validators=RATING)
    comments = models.TextField(_("comments"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["participant__person__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(preparation__range=(1, 5))
                & models.Q(relevance__range=(1, 5))
                & models.Q(exchange_quality__range=(1, 5))
                & models.Q(use_of_time__range=(1, 5)),
                name="ratings_from_1_to_5",
            ),
        ]

    def __str__(self):
        return str(self.participant)

    def save(self, *args, **kwargs):
        self.visit_id = self.participant.visit_id
        super().save(*args, **kwargs)


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        TRAVEL = "travel", _("Travel")
        ACCOMMODATION = "accommodation", _("Accommodation")
        PER_DIEM = "per_diem", _("Per diem")
        INTERPRETATION = "interpretation", _("Interpretation")
        VENUE = "venue", _("Venue")
        OTHER = "other", _("Other")

    NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    planned = models.DecimalField(
        _("planned cost"), max_digits=12, decimal_places=2, validators=NOT_NEGATIVE
    )
    actual = models.DecimalField(
        _("actual cost"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["category", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned__gte=0)
                & (models.Q(actual__gte=0) | models.Q(actual__isnull=True)),
                name="costs_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.planned} {self.currency}"


class ComplianceCheck(models.Model):
    class Status(models.TextChoices):
        MET = "met", _("Met")
        PARTLY = "partly", _("Partly met")
        NOT_MET = "not_met", _("Not met")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="compliance_checks"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("compliance"), max_length=20, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("compliance check")
        verbose_name_plural = _("compliance checks")
        ordering = ["criterion__order", "criterion__code"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "criterion"], name="one_check_per_criterion"),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.get_status_display()}"


def attachment_path(instance, filename):
    return f"visits/{instance.visit_id}/{filename}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        AGENDA = "agenda", _("Agenda")
        PHOTO = "photo", _("Photo")
        PRESENTATION = "presentation", _("Presentation")
        DOCUMENT = "document", _("Other document")

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_path)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("visits:attachment_download", args=[self.visit_id, self.pk])


def new_calendar_token():
    """An unguessable secret for a calendar feed's address: 43 url-safe characters."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's personal calendar feed: its secret address is the only key to it, since
    calendar applications fetch it without a session. Renewing it replaces the secret, and the
    old address stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    # Unique, so indexed: the feed is found by an equality lookup on a long random value.
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("calendar:feed", args=[self.token])

    @property
    def url(self):
        """The absolute address to give a calendar application."""
        return settings.SITE_URL + self.get_absolute_url()

    @classmethod
    def renew_for(cls, user):
        """A new secret for `user`'s feed (created if they had none)."""
        feed, _created = cls.objects.update_or_create(
            user=user, defaults={"token": new_calendar_token(), "created_at": timezone.now()}
        )
        return feed
