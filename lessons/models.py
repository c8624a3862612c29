"""
The knowledge bank: lessons learnt, good practices and success stories, with
exactly the fields of a Knowledge Bank entry, and the reference catalogues they
point to (SDGs, added values of triangular cooperation, phases of the cycle).
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.concurrency import RevisionedModel
from countries.models import Actor, Country
from countries.roles import sees_everything

from . import search
from .catalogues import ADDED_VALUE_LABELS, PHASE_LABELS, SDG_NAMES


class SDG(models.Model):
    """One of the 17 Sustainable Development Goals (rows from a data migration)."""

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(17)]
    )
    english_name = models.CharField(_("name in English"), max_length=100)

    class Meta:
        verbose_name = _("Sustainable Development Goal")
        verbose_name_plural = _("Sustainable Development Goals")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"

    @property
    def name(self):
        """The goal's name in the active language."""
        return str(SDG_NAMES.get(self.number, self.english_name))


class AddedValue(models.Model):
    """An added value of triangular cooperation, with its official number (1–6)."""

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    english_label = models.CharField(_("label in English"), max_length=200)

    class Meta:
        verbose_name = _("added value of triangular cooperation")
        verbose_name_plural = _("added values of triangular cooperation")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.label}"

    @property
    def label(self):
        """The label in the active language."""
        return str(ADDED_VALUE_LABELS.get(self.number, self.english_label))


class KnowledgeType(models.TextChoices):
    """The kinds of entry of the Knowledge Bank, each with the label of its body."""

    LESSONS_LEARNT = "lessons_learnt", _("Lessons learnt")
    GOOD_PRACTICES = "good_practices", _("Good practices")
    SUCCESS_STORIES = "success_stories", _("Success stories")


# The banner of each knowledge type in the Knowledge Bank layout.
KNOWLEDGE_TYPE_BANNERS = {
    KnowledgeType.LESSONS_LEARNT: "LESSONS LEARNT",
    KnowledgeType.GOOD_PRACTICES: "GOOD PRACTICES",
    KnowledgeType.SUCCESS_STORIES: "SUCCESS STORIES",
}

# The heading of the body (the description) of each knowledge type.
KNOWLEDGE_TYPE_BODY_LABELS = {
    KnowledgeType.LESSONS_LEARNT: _("Description of the action that gave rise to the learning:"),
    KnowledgeType.GOOD_PRACTICES: _("Description of the practice:"),
    KnowledgeType.SUCCESS_STORIES: _("Summary of the case:"),
}


class Phase(models.Model):
    """A phase of the operation cycle; the list is editable (admin)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("phase of the operation cycle")
        verbose_name_plural = _("phases of the operation cycle")
        ordering = ["order", "name"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The name in the active language (for the phases shipped; others as written)."""
        return str(PHASE_LABELS.get(self.name, self.name))


# The lesson's history, with its many-to-many fields; the import saves a lesson and its
# many-to-many fields as one historical record through this object.
LESSON_HISTORY = HistoricalRecords(
    m2m_fields=["countries", "actors", "sdgs", "added_values", "related_visits", "related_findings"]
)


class LessonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Lesson.Status.PUBLISHED)

    def visible_to(self, user):
        """The lessons `user` may see: published ones for everybody (anonymous readers too),
        drafts for coordinators, the project team and their authors. Lesson.is_visible_to
        says the same of one lesson."""
        if sees_everything(user):
            return self.all()
        if getattr(user, "is_authenticated", False):
            return self.filter(models.Q(status=Lesson.Status.PUBLISHED) | models.Q(created_by=user))
        return self.published()


class Lesson(RevisionedModel):
    """An entry of the knowledge bank, with exactly the fields of the Knowledge Bank layout."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")

    knowledge_type = models.CharField(
        _("type of knowledge"),
        max_length=20,
        choices=KnowledgeType.choices,
        default=KnowledgeType.LESSONS_LEARNT,
    )
    title = models.CharField(_("title"), max_length=300)
    author = models.CharField(_("author"), max_length=200, blank=True)
    countries = models.ManyToManyField(
        Country,
        verbose_name=_("countries where the action took place"),
        blank=True,
        related_name="lessons",
    )
    countries_text = models.CharField(
        _("other places"),
        max_length=300,
        blank=True,
        help_text=_("Places named by the entry that are not recognised as countries."),
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase of the operation cycle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lessons",
    )
    phase_text = models.CharField(
        _("phase as written"),
        max_length=200,
        blank=True,
        help_text=_("The phase named by an imported entry when it is not in the list."),
    )
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_("Set when an import could not place something; see the import note."),
    )
    import_note = models.TextField(_("import note"), blank=True)
    actors = models.ManyToManyField(
        Actor, verbose_name=_("actors involved"), blank=True, related_name="lessons"
    )
    sdgs = models.ManyToManyField(
        SDG,
        verbose_name=_("contribution to the Sustainable Development Goals"),
        blank=True,
        related_name="lessons",
    )
    description = models.TextField(_("description"), blank=True)
    experience = models.TextField(_("experience gained"), blank=True)
    impacts_lead = models.TextField(_("impacts: lead sentence"), blank=True)
    impacts = models.JSONField(_("impacts"), default=list, blank=True)
    added_values = models.ManyToManyField(
        AddedValue,
        verbose_name=_("added value of triangular cooperation"),
        blank=True,
        related_name="lessons",
    )
    keywords = models.JSONField(_("keywords"), default=list, blank=True)

    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    review_note = models.TextField(_("note of the reviewer"), blank=True)
    related_visits = models.ManyToManyField(
        "visits.Visit", verbose_name=_("related visits"), blank=True, related_name="lessons"
    )
    related_findings = models.ManyToManyField(
        "visits.Finding", verbose_name=_("related findings"), blank=True, related_name="lessons"
    )
    source_file = models.CharField(_("source file"), max_length=255, blank=True)
    # Full-text index, kept by lessons.search on PostgreSQL (a GIN index, see migrations).
    search_vector = SearchVectorField(null=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    history = LESSON_HISTORY
    objects = LessonQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["-updated_at", "-pk"]
        # The list's order: its first page is read from the index, not sorted from all.
        indexes = [
            models.Index(F("updated_at").desc(), F("id").desc(), name="lesson_recent"),
            # The few lessons in review among years of published ones (the coordinators'
            # to-do list, counted on every page).
            models.Index(
                "updated_at", "id", name="lesson_in_review", condition=models.Q(status="in_review")
            ),
        ]
        permissions = [
            ("publish_lesson", _("Can publish or return a lesson")),
            ("import_lessons", _("Can import Knowledge Bank entries")),
            ("propose_revision", _("Can propose a revision of the criteria")),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        search.index(Lesson.objects.filter(pk=self.pk))

    @staticmethod
    def history_reason(record, earlier):
        """Why a lesson reached the state of a history record: the reviewer's note when it was
        sent back (core.history)."""
        if earlier is not None and earlier.status != record.status:
            return record.review_note
        return ""

    def is_visible_to(self, user):
        """Whether `user` may see this lesson: Lesson.objects.visible_to's rule, for one."""
        return (
            self.is_published
            or sees_everything(user)
            or (getattr(user, "is_authenticated", False) and self.created_by_id == user.pk)
        )

    def get_absolute_url(self):
        return reverse("lessons:lesson_detail", args=[self.pk])

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def body_label(self):
        """The heading of the description for this knowledge type."""
        return KNOWLEDGE_TYPE_BODY_LABELS[KnowledgeType(self.knowledge_type)]

    @property
    def phase_label(self):
        """The phase, or the phase as written when it is not in the list."""
        return self.phase.label if self.phase_id else self.phase_text

    def ordered(self, field, *related):
        """The objects of a many-to-many field in the order they were added (as in the file).

        ``related``: further select_related paths from the through model ("actor__country").
        """
        descriptor = getattr(type(self), field)
        target = descriptor.rel.model._meta.model_name
        rows = (
            descriptor.through.objects.filter(lesson=self)
            .select_related(target, *related)
            .order_by("pk")
        )
        return [getattr(row, target) for row in rows]
