"""
Saving a parsed entry: ``preview(parsed)`` says what saving would create, match and flag
for review; ``save_parsed(parsed)`` does it, in one transaction (one historical record).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from countries.models import Actor, Country

from ..catalogues import PHASE_ALIASES, PHASE_LABELS
from ..models import LESSON_HISTORY, SDG, AddedValue, Lesson, Phase
from .layout import names_in_languages, norm


@dataclass
class ImportReport:
    """What an import creates, matches and flags for review (the preview shows it)."""

    title: str
    lesson_created: bool = True  # False: an existing lesson of the same title is updated
    lesson_id: int | None = None
    dry_run: bool = False
    created: list = field(default_factory=list)  # (kind, label)
    matched: list = field(default_factory=list)  # (kind, label)
    flagged: list = field(default_factory=list)  # (kind, label, reason)
    warnings: list = field(default_factory=list)

    def count(self, items, kind):
        """How many of the created, matched or flagged things are of a kind (actor, …)."""
        return sum(1 for item in items if item[0] == kind)

    @property
    def created_count(self):
        return len(self.created)

    @property
    def matched_count(self):
        return len(self.matched)

    @property
    def flagged_count(self):
        return len(self.flagged)


class _Rollback(Exception):
    def __init__(self, report):
        self.report = report


def preview(parsed, user=None, source_file=""):
    """The report that save_parsed would give, without saving anything."""
    try:
        with transaction.atomic():
            _lesson, report = _apply(parsed, user, source_file)
            raise _Rollback(report)
    except _Rollback as rollback:
        report = rollback.report
    report.dry_run = True
    report.lesson_id = report.lesson_id if not report.lesson_created else None
    return report


def save_parsed(parsed, user=None, source_file=""):
    """Create the lesson, or update the one of the same title; returns (lesson, report)."""
    with transaction.atomic():
        return _apply(parsed, user, source_file)


class _ActorIndex:
    """Existing actors by name and acronym, compared without accents or case."""

    def __init__(self):
        self.by_key = {}
        for actor in Actor.objects.select_related("country").order_by("pk"):
            self.add(actor)

    def add(self, actor):
        keys = {norm(actor.name)}
        if actor.acronym:
            keys |= {norm(actor.acronym), norm(f"{actor.name} {actor.acronym}")}
        for key in keys:
            self.by_key.setdefault(key, []).append(actor)

    def find(self, spec):
        keys = [norm(spec.name)]
        if spec.acronym:
            keys = [norm(f"{spec.name} {spec.acronym}"), *keys, norm(spec.acronym)]
        candidates = []
        for key in keys:
            for actor in self.by_key.get(key, []):
                if actor not in candidates:
                    candidates.append(actor)
        if spec.country_code:
            # The same country, or a network of several countries.
            same = [a for a in candidates if a.country and a.country.code == spec.country_code]
            return (same or [a for a in candidates if a.country is None])[:1], False
        if len(candidates) > 1:
            networks = [a for a in candidates if a.country is None]
            if len(networks) == 1:
                return networks, False
            return candidates[:1], True
        return candidates, False


def _phase_names(phase):
    names = {norm(phase.name)}
    if phase.name in PHASE_LABELS:
        names |= names_in_languages(PHASE_LABELS, phase.name)
    names |= {norm(alias) for alias in PHASE_ALIASES.get(phase.name, [])}
    return names


def _find_phase(text):
    wanted = norm(text)
    if not wanted:
        return None
    bare = " ".join(
        w for w in wanted.split() if w not in {"phase", "fase", "etapa", "the", "la", "a"}
    )
    for phase in Phase.objects.all():
        names = _phase_names(phase)
        if wanted in names or bare in names:
            return phase
    return None


def _apply(parsed, user, source_file):
    report = ImportReport(title=parsed.title, warnings=list(parsed.warnings))
    lesson = Lesson.objects.filter(title__iexact=parsed.title).order_by("pk").first()
    report.lesson_created = lesson is None
    if lesson is None:
        lesson = Lesson(created_by=user if _is_user(user) else None)

    countries = []
    for code in parsed.country_codes:
        country, created = Country.objects.get_or_create(
            code=code, defaults={"programme_role": Country.ProgrammeRole.OBSERVER}
        )
        countries.append(country)
        (report.created if created else report.matched).append(("country", str(country)))

    actor_index = _ActorIndex()
    actors = []
    for spec in parsed.actors:
        found, ambiguous = actor_index.find(spec)
        if found:
            actor = found[0]
            report.matched.append(("actor", _actor_label(actor)))
            if ambiguous:
                report.flagged.append(
                    (
                        "actor",
                        _actor_label(actor),
                        _("several actors have this name: the first was taken"),
                    )
                )
            elif actor.needs_review:
                report.flagged.append(
                    ("actor", _actor_label(actor), _("already waiting for review"))
                )
        else:
            country = None
            if spec.country_code:
                country, created = Country.objects.get_or_create(
                    code=spec.country_code,
                    defaults={"programme_role": Country.ProgrammeRole.OBSERVER},
                )
                if created:
                    report.created.append(("country", str(country)))
            if spec.names_only_a_country:
                note = _(
                    "The knowledge-bank entry “%(title)s” names only the country, not the "
                    "institution. Please record the institution that took part."
                )
            else:
                note = _(
                    "Created by the import of the knowledge-bank entry “%(title)s”: please "
                    "check its name, kind and country."
                )
            note %= {"title": parsed.title}
            if source_file:
                note += " " + _("(file: %(file)s)") % {"file": source_file}
            actor = Actor.objects.create(
                name=spec.name,
                acronym=spec.acronym,
                country=country,
                needs_review=True,
                review_note=note,
            )
            actor_index.add(actor)
            report.created.append(("actor", _actor_label(actor)))
            report.flagged.append(("actor", _actor_label(actor), _("new actor from the import")))
        if actor not in actors:
            actors.append(actor)

    flags = []
    phase = _find_phase(parsed.phase_text)
    phase_text = ""
    if phase:
        report.matched.append(("phase", str(phase)))
    elif parsed.phase_text:
        phase_text = parsed.phase_text
        reason = _("not in the list of phases: kept as written")
        report.flagged.append(("phase", phase_text, reason))
        flags.append(_("Phase “%(phase)s”: %(reason)s.") % {"phase": phase_text, "reason": reason})
    if parsed.unknown_countries:
        reason = _("not recognised as countries: kept as written")
        report.flagged.append(("country", parsed.unknown_countries, reason))
        flags.append(
            _("Places “%(places)s”: %(reason)s.")
            % {"places": parsed.unknown_countries, "reason": reason}
        )

    lesson.knowledge_type = parsed.knowledge_type
    lesson.title = parsed.title
    lesson.author = parsed.author
    lesson.countries_text = parsed.unknown_countries
    lesson.phase = phase
    lesson.phase_text = phase_text
    lesson.needs_review = bool(flags)
    lesson.import_note = "\n".join(flags)
    lesson.description = parsed.description
    lesson.experience = parsed.experience
    lesson.impacts_lead = parsed.impacts_lead
    lesson.impacts = list(parsed.impacts)
    lesson.keywords = list(parsed.keywords)
    if report.lesson_created or not parsed.language_is_guess:
        lesson.language = parsed.language
    lesson.source_file = source_file[:255]
    if _is_user(user):
        lesson.updated_by = user
        lesson._history_user = user
    if not report.lesson_created:
        lesson.revision += 1

    # One historical record for the whole import, with the many-to-many fields.
    lesson.skip_history_when_saving = True
    try:
        lesson.save()
        _set_ordered(lesson, "countries", countries)
        _set_ordered(lesson, "actors", actors)
        _set_ordered(lesson, "sdgs", list(SDG.objects.filter(number__in=parsed.sdgs)))
        _set_ordered(
            lesson,
            "added_values",
            list(AddedValue.objects.filter(number__in=parsed.added_values)),
        )
    finally:
        del lesson.skip_history_when_saving
    LESSON_HISTORY.create_historical_record(lesson, "+" if report.lesson_created else "~")

    report.lesson_id = lesson.pk
    if report.lesson_created:
        report.created.insert(0, ("lesson", lesson.title))
    else:
        report.matched.insert(0, ("lesson", lesson.title))
    return lesson, report


def _actor_label(actor):
    """The actor and its country: "Ministerio de Desarrollo Social – Chile"."""
    return f"{actor} – {actor.country}" if actor.country_id else str(actor)


def _is_user(user):
    return user is not None and getattr(user, "is_authenticated", False)


def _set_ordered(lesson, field_name, objects):
    """Replace a many-to-many field, keeping the given order (the order of the file)."""
    descriptor = getattr(Lesson, field_name)
    through = descriptor.through
    target = descriptor.rel.model._meta.model_name
    through.objects.filter(lesson=lesson).delete()
    through.objects.bulk_create([through(lesson=lesson, **{target: obj}) for obj in objects])
