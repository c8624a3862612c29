"""What every report kind provides, so that jobs, views and workers treat them alike."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ..pdf import page_counter_content


@dataclass(frozen=True)
class ReportDefinition:
    kind: str
    # The Django template that lays the report out for print.
    template: str
    # title(obj) and subject(obj): the PDF's title and subject, in the active language.
    title: Callable
    subject: Callable
    # context(obj): the template's context, in a fixed number of queries.
    context: Callable
    # targets(user): the objects the user may report on; None for a report of the
    # whole programme, which has no target.
    targets: Callable | None = None
    # default_target(): the object of a request that names none (the adopted version).
    default_target: Callable | None = None

    def target(self, user, target_id):
        """The object reported on, if `user` may see it; Http404 otherwise."""
        if self.targets is None:
            return None
        if target_id is None and self.default_target is not None:
            default = self.default_target()
            target_id = default.pk if default is not None else None
        obj = self.targets(user).filter(pk=target_id).first() if target_id is not None else None
        if obj is None:
            raise Http404(_("No such object, or you may not see it."))
        return obj

    def render_html(self, obj, language):
        """The report as HTML, in `language`: the same data always gives the same HTML."""
        with translation.override(language):
            context = {
                **self.context(obj),
                "report_title": self.title(obj),
                "report_subject": self.subject(obj),
                "report_language": language,
                "report_author": settings.REPORT_AUTHOR,
                "page_counter": page_counter_content(_("page %(page)s of %(pages)s")),
            }
            return render_to_string(self.template, context)

    def title_for(self, obj, language):
        with translation.override(language):
            return str(self.title(obj))


def input_hash(kind, language, html):
    """What identifies a report's content: an identical hash means an identical PDF."""
    digest = hashlib.sha256()
    for part in (kind, language, html):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()
