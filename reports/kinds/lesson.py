"""A lesson sheet: one Knowledge Bank entry laid out like the Knowledge Bank files."""

from django.utils.translation import gettext as _

from lessons.models import Lesson

from ..models import ReportJob
from .base import ReportDefinition

TEMPLATE = "reports/lesson.html"


def targets(user):
    if user is None:
        return Lesson.objects.all()
    return Lesson.objects.visible_to(user)


def title(lesson):
    return _("Lesson sheet: %(title)s") % {"title": lesson.title}


def subject(lesson):
    return _("Knowledge Bank entry (%(type)s): %(title)s") % {
        "type": lesson.get_knowledge_type_display(),
        "title": lesson.title,
    }


def _heading(field):
    """A field's name as a heading of the Knowledge Bank layout: in capitals."""
    return str(Lesson._meta.get_field(field).verbose_name).upper()


def headings(lesson):
    return {
        "knowledge_type": _heading("knowledge_type"),
        "title": _heading("title"),
        "author": _heading("author"),
        "countries": _heading("countries"),
        "phase": _heading("phase"),
        "actors": _heading("actors"),
        "sdgs": _heading("sdgs"),
        "description": str(lesson.body_label).rstrip(":").upper(),
        "experience": _heading("experience"),
        "impacts": _heading("impacts"),
        "added_values": _heading("added_values"),
        "keywords": _heading("keywords"),
    }


def context(lesson):
    lesson = Lesson.objects.select_related("phase").get(pk=lesson.pk)
    return {
        "lesson": lesson,
        "headings": headings(lesson),
        "countries": lesson.ordered("countries"),
        "actors": lesson.ordered("actors", "actor__country"),
        "sdgs": list(lesson.sdgs.order_by("number")),
        "added_values": list(lesson.added_values.order_by("number")),
        "impacts": [str(item) for item in lesson.impacts or []],
        "keywords": [str(item) for item in lesson.keywords or []],
    }


REPORT = ReportDefinition(
    kind=ReportJob.Kind.LESSON,
    template=TEMPLATE,
    title=title,
    subject=subject,
    context=context,
    targets=targets,
)
