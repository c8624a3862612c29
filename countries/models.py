from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from core.concurrency import RevisionedModel

# The language PeerVisits writes to a country's people in (e-mails), among en/es/pt.
PORTUGUESE_SPEAKING = {"AO", "BR", "CV", "GW", "MZ", "PT", "ST", "TL"}
SPANISH_SPEAKING = {
    "AR", "BO", "CL", "CO", "CR", "CU", "DO", "EC", "ES", "GQ", "GT", "HN", "MX", "NI", "PA",
    "PE", "PR", "PY", "SV", "UY", "VE",
}  # fmt: skip


class CountryQuerySet(models.QuerySet):
    def partners(self):
        """The partner countries: those who answer every consultation on the methodology."""
        return self.filter(programme_role=Country.ProgrammeRole.PARTNER)

    def with_figures(self):
        """Countries with their numbers of actors and people and their focal points."""
        # A GROUP BY query ignores Meta.ordering: keep the order asked for, or the model's.
        ordering = self.query.order_by or self.model._meta.ordering
        return (
            self.annotate(
                num_actors=models.Count("actors", distinct=True),
                num_people=models.Count("actors__people", distinct=True),
            )
            .order_by(*ordering)
            # Only the actors that have a focal point: a country may have hundreds of actors.
            .prefetch_related(
                models.Prefetch(
                    "actors",
                    queryset=Actor.objects.filter(memberships__is_focal_point=True)
                    .distinct()
                    .prefetch_related(focal_points_prefetch()),
                    to_attr="actors_with_focal_points",
                )
            )
        )


def focal_points_prefetch(lookup="memberships"):
    """Prefetch an actor's focal-point memberships into ``actor.focal_point_memberships``."""
    return models.Prefetch(
        lookup,
        queryset=Membership.objects.filter(is_focal_point=True).select_related("user"),
        to_attr="focal_point_memberships",
    )


class Country(RevisionedModel):
    """A country taking part in the programme, and its role in it."""

    class ProgrammeRole(models.TextChoices):
        PARTNER = "partner", _("Partner")
        COORDINATOR = "coordinator", _("Coordinator")
        OBSERVER = "observer", _("Observer")

    code = CountryField(_("country"), unique=True)
    programme_role = models.CharField(
        _("role in the programme"),
        max_length=20,
        choices=ProgrammeRole.choices,
        default=ProgrammeRole.PARTNER,
    )

    objects = CountryQuerySet.as_manager()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["code"]

    def __str__(self):
        return str(self.name)

    def get_absolute_url(self):
        return reverse("countries:country_detail", args=[self.code.code])

    @property
    def name(self):
        """The country's name in the active language (django-countries), looked up once per
        language: a page names the same few countries many times, and each lookup is slow."""
        names = self.__dict__.setdefault("_names", {})
        language = translation.get_language()
        if language not in names:
            names[language] = self.code.name
        return names[language]

    @property
    def is_partner(self):
        return self.programme_role == self.ProgrammeRole.PARTNER

    @property
    def language(self):
        """The language of the UI (en/es/pt) closest to the country's own."""
        if self.code.code in PORTUGUESE_SPEAKING:
            return "pt"
        if self.code.code in SPANISH_SPEAKING:
            return "es"
        return "en"

    @property
    def focal_points(self):
        """Users answering for the country (uses with_figures()' prefetch when present)."""
        actors = getattr(self, "actors_with_focal_points", None)
        return [
            membership.user
            for actor in (self.actors.all() if actors is None else actors)
            for membership in getattr(
                actor, "focal_point_memberships", actor.memberships.filter(is_focal_point=True)
            )
        ]


class Actor(RevisionedModel):
    """An institution or group that takes part in exchanges."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government ministry or agency")
        INTERNATIONAL = "international", _("International organisation")
        ACADEMIA = "academia", _("Academic institution")
        CIVIL_SOCIETY = "civil_society", _("Civil-society organisation")
        TECHNICAL_TEAM = "technical_team", _("Technical team")
        CARE_USERS = "care_users", _("Users of the care system")
        PRIVATE = "private", _("Private sector")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actors",
        help_text=_("Leave empty for networks that span several countries."),
    )
    website = models.URLField(_("website"), blank=True)
    is_partner = models.BooleanField(_("programme partner"), default=False)
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_("Set when the actor was created from incomplete information."),
    )
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="unique_actor_per_country"),
        ]

    def __str__(self):
        return self.named(self.name, self.acronym)

    def get_absolute_url(self):
        return reverse("countries:actor_detail", args=[self.pk])

    @staticmethod
    def named(name, acronym):
        """How an actor is named: "Ministerio de Desarrollo Social (MIDES)"."""
        return f"{name} ({acronym})" if acronym else name


class Person(RevisionedModel):
    """Someone who takes part in exchanges; not necessarily a user of PeerVisits."""

    class ExchangeRole(models.TextChoices):
        POLITICAL = "political", _("Political")
        TECHNICAL = "technical", _("Technical")

    LANGUAGE_CHOICES = [
        ("es", _("Spanish")),
        ("pt", _("Portuguese")),
        ("en", _("English")),
        ("it", _("Italian")),
        ("fr", _("French")),
    ]

    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    actor = models.ForeignKey(
        Actor, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="people"
    )
    exchange_role = models.CharField(
        _("role in exchanges"), max_length=20, choices=ExchangeRole.choices
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("countries:person_detail", args=[self.pk])

    def get_languages_display(self):
        names = dict(self.LANGUAGE_CHOICES)
        return ", ".join(str(names.get(code, code)) for code in self.languages)

    def clean(self):
        unknown = set(self.languages) - {code for code, _label in self.LANGUAGE_CHOICES}
        if unknown:
            raise ValidationError(
                {
                    "languages": _("Unknown language codes: %(codes)s.")
                    % {"codes": ", ".join(sorted(unknown))}
                }
            )


class MembershipQuerySet(models.QuerySet):
    def users(self):
        """The active users of these memberships, each once (whom notifications reach)."""
        return get_user_model().objects.filter(is_active=True, memberships__in=self).distinct()

    def staff_of(self, country_ids):
        return self.filter(role=Membership.Role.STAFF, actor__country_id__in=country_ids)

    def focal_points(self):
        """The focal points who can be written to: active users with an e-mail address."""
        return (
            self.filter(is_focal_point=True, user__is_active=True)
            .exclude(user__email="")
            .select_related("user", "actor__country")
        )


class Membership(models.Model):
    """A user's place in the programme: the actor they work for and their role."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Ministry staff")
        COORDINATOR = "coordinator", _("Coordinator")
        PROJECT_TEAM = "project_team", _("Project team")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    actor = models.ForeignKey(
        Actor, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    is_focal_point = models.BooleanField(
        _("focal point"),
        default=False,
        help_text=_("Answers for the country in consultations on the methodology."),
    )

    objects = MembershipQuerySet.as_manager()
    # Every role given, changed or taken away, with who did it (the admin's history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__username", "actor__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "actor"], name="unique_membership"),
        ]

    def __str__(self):
        return f"{self.user} – {self.actor} ({self.get_role_display()})"

    def clean(self):
        if not self.is_focal_point:
            return
        country = self.actor.country if self.actor_id else None
        if country is None:
            raise ValidationError(
                {"is_focal_point": _("A focal point must work for an actor of a country.")}
            )
        other = (
            Membership.objects.filter(is_focal_point=True, actor__country=country)
            .exclude(pk=self.pk)
            .select_related("user")
            .first()
        )
        if other:
            raise ValidationError(
                {
                    "is_focal_point": _("%(country)s already has a focal point: %(user)s.")
                    % {"country": country, "user": other.user}
                }
            )
