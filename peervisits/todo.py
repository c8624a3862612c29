"""
Each role's to-do list on the dashboard: what is waiting for the user, read from the data
(visits/duties.py says whose turn each step is), each item a link to where it is done. Every
list is a preview (its first few items and a bounded count), so the dashboard's queries are
the same however many visits the programme holds.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from countries.roles import Role
from lessons.models import Lesson
from reports.models import ReportJob
from visits.duties import COORDINATION_PARTY, HOST, awaiting_step_of, delegation_duties, next_step
from visits.methodology.models import Endorsement, MethodologyVersion
from visits.models import Delegation, Finding, Visit

from .previews import COUNTED, preview

# The project team hears of what happened in the programme lately.
RECENT = timedelta(days=30)


@dataclass
class Item:
    task: str  # what to do
    about: str  # what it is about: a visit, a version, a lesson
    url: str
    flag: str = ""  # a word that stands out ("returned", "late")


@dataclass
class Todo:
    """One kind of work waiting: its heading, items and how many there are in all."""

    heading: str
    items: list
    total: int
    beyond_count: bool

    def __len__(self):
        return self.total


def _todo(heading, preview, to_items):
    """A list of the rows of `preview` (a row may bring several items: a delegation owes its
    findings and its evaluations); its total counts rows, as the navigation bar does."""
    items = [item for row in preview.items for item in to_items(row)]
    return Todo(heading, items, preview.total, preview.beyond_count)


def _visit_step(today):
    def items(visit):
        step = next_step(visit, today)
        flag = _("returned") if visit.status == Visit.Status.RETURNED else ""
        return [Item(step.task, f"{visit.title} · {visit.label}", step.url, flag)]

    return items


def _delegation(delegation):
    about = f"{delegation.visit.title} · {delegation.visit.label}"
    return [Item(duty.task, about, duty.url) for duty in delegation_duties(delegation)]


def _recommendation(finding):
    return [
        Item(
            _("Respond to the recommendation."),
            f"{finding.title} · {finding.visit.label}",
            f"{finding.visit.get_absolute_url()}#recommendation-{finding.pk}",
        )
    ]


def _hosting(roles, today):
    return (
        Visit.objects.filter(host_country_id__in=roles.staff_country_ids)
        .filter(awaiting_step_of(HOST, today))
        .select_related("host_country")
        .order_by("-updated_at", "-pk")
    )


def _owing(roles):
    return (
        Delegation.objects.owing()
        .filter(country_id__in=roles.staff_country_ids)
        .select_related("visit__host_country", "country")
        .order_by("visit__start_date", "pk")
    )


def _answering(user):
    return (
        Finding.objects.followed_up_by(user)
        .filter(follow_up_status=Finding.FollowUp.OPEN)
        .select_related("visit__host_country")
        .order_by("-pk")
    )


def _unanswered_consultations(roles):
    """The versions in consultation the user's country has not answered in this round."""
    answered = Endorsement.objects.filter(
        version=OuterRef("pk"),
        country_id__in=roles.focal_point_country_ids,
        consultation_round=OuterRef("consultation_round"),
    )
    return MethodologyVersion.objects.filter(status=MethodologyVersion.Status.CONSULTATION).exclude(
        Exists(answered)
    )


def _deciding(today):
    return (
        Visit.objects.filter(awaiting_step_of(COORDINATION_PARTY, today))
        .select_related("host_country")
        .order_by("status", "plan_submitted_at", "pk")
    )


def _reviewing():
    return Lesson.objects.filter(status=Lesson.Status.IN_REVIEW).order_by("updated_at", "pk")


def _ready(user, since):
    return (
        ReportJob.objects.filter(requested_by=user, status=ReportJob.Status.DONE)
        .filter(finished_at__gte=since)
        .order_by("-finished_at", "-pk")
    )


def _systematised(since):
    return (
        Visit.objects.filter(
            status__in=[Visit.Status.SYSTEMATISED, Visit.Status.CLOSED], updated_at__gte=since
        )
        .select_related("host_country")
        .order_by("-updated_at", "-pk")
    )


def staff_todos(user, roles, consultations):
    """A ministry's staff: their country's steps as host, its delegations' parts, the
    recommendations it has to answer and, for focal points, the consultations to answer."""
    today = timezone.localdate()
    todos = [
        _todo(_("Your country's visits"), preview(_hosting(roles, today)), _visit_step(today)),
        _todo(_("Your delegations' part"), preview(_owing(roles)), _delegation),
        _todo(
            _("Recommendations awaiting your response"),
            preview(_answering(user)),
            _recommendation,
        ),
    ]
    unanswered = [version for version, answers in consultations if not answers]
    if roles.focal_point_country_ids and unanswered:
        items = [
            Item(
                _("Answer the consultation for your country."),
                str(version),
                version.get_absolute_url(),
                _("due %(date)s") % {"date": version.deadline} if version.deadline else "",
            )
            for version in unanswered
        ]
        todos.append(Todo(_("Consultations"), items, len(items), False))
    return todos


def coordinator_todos(user, roles, consultations):
    """The coordination: plans to approve and visits to close, consultations and who is late
    in them, lessons to review."""
    today = timezone.localdate()
    todos = [_todo(_("Plans and visits"), preview(_deciding(today)), _visit_step(today))]
    items = []
    for version, _answers in consultations:
        late = getattr(version, "progress", None)
        missing = ", ".join(str(country) for country in late.missing) if late else ""
        items.append(
            Item(
                _("Follow the consultation: %(missing)s have not answered.") % {"missing": missing}
                if missing
                else _("Every partner has answered: the version can be decided."),
                str(version),
                version.get_absolute_url(),
                _("late") if missing and version.deadline and version.deadline < today else "",
            )
        )
    if items:
        todos.append(Todo(_("Consultations"), items, len(items), False))
    todos.append(
        _todo(
            _("Lessons to review"),
            preview(_reviewing()),
            lambda lesson: [Item(_("Review the lesson."), lesson.title, lesson.get_absolute_url())],
        )
    )
    return todos


def project_team_todos(user, roles, consultations):
    """The project team: its reports that are ready, the visits systematised lately."""
    since = timezone.now() - RECENT
    return [
        _todo(
            _("Reports ready"),
            preview(_ready(user, since)),
            lambda job: [
                Item(
                    _("Download the report."),
                    str(job),
                    reverse("reports:job_detail", args=[job.pk]),
                )
            ],
        ),
        _todo(
            _("Visits systematised in the last 30 days"),
            preview(_systematised(since)),
            lambda visit: [
                Item(
                    _("Read its systematisation."),
                    f"{visit.title} · {visit.label}",
                    visit.get_absolute_url(),
                )
            ],
        ),
    ]


def todos_of(user, roles, consultations):
    """The to-do list of the user's main role (`consultations`: the dashboard's, from
    visits.methodology.workflow.open_consultations)."""
    lists = {
        Role.STAFF: staff_todos,
        Role.COORDINATOR: coordinator_todos,
        Role.PROJECT_TEAM: project_team_todos,
    }
    build = lists.get(roles.main_role)
    return [todo for todo in build(user, roles, consultations) if todo.items] if build else []


def _countable(user, roles):
    """The querysets of the user's to-do lists, as the navigation bar counts them."""
    today = timezone.localdate()
    since = timezone.now() - RECENT
    if roles.main_role == Role.STAFF:
        owing = Delegation.objects.owing_anything().filter(country_id__in=roles.staff_country_ids)
        found = [_hosting(roles, today), owing, _answering(user)]
        if roles.focal_point_country_ids:
            found.append(_unanswered_consultations(roles))
        return found
    if roles.main_role == Role.COORDINATOR:
        consulting = MethodologyVersion.objects.filter(
            status=MethodologyVersion.Status.CONSULTATION
        )
        return [_deciding(today), consulting, _reviewing()]
    if roles.main_role == Role.PROJECT_TEAM:
        return [_ready(user, since), _systematised(since)]
    return []


def count_of(user, roles):
    """How many things wait for the user, for the navigation bar: every list counted up to
    COUNTED, in one statement (one round trip on every page)."""
    found = _countable(user, roles)
    if not found:
        return 0
    parts, params = [], []
    for queryset in found:
        sql, part_params = queryset.order_by().values("pk")[: COUNTED + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(parts), params)
        return cursor.fetchone()[0]
