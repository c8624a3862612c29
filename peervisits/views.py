from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from countries.models import Actor, Country
from countries.roles import Role, roles_of
from lessons.models import Lesson
from visits.methodology.workflow import open_consultations
from visits.models import Finding, Visit

from . import health


def home(request):
    """The landing page for visitors; the dashboard of the user's role otherwise."""
    if not request.user.is_authenticated:
        return render(
            request,
            "peervisits/landing.html",
            {
                "countries": Country.objects.all(),
                "lessons": Lesson.objects.published()[:5],
            },
        )

    roles = roles_of(request.user)
    context = {
        "memberships": request.user.memberships.select_related("actor__country"),
        # Focal points see whether their country answered; others see what is open.
        "consultations": open_consultations(roles.focal_point_country_ids),
    }
    visits = Visit.objects.visible_to(request.user).select_related("host_country")
    context["visits_in_progress"] = visits.in_progress().order_by("start_date")
    context["drafts"] = visits.filter(status=Visit.Status.DRAFT).order_by("-updated_at")
    if roles.is_coordinator:
        context["awaiting_approval"] = Visit.objects.awaiting_approval().select_related(
            "host_country"
        )
    if roles.staff_country_ids:
        # Recommendations the user's country received and still follows up.
        context["follow_ups"] = (
            Finding.objects.filter(
                visit__host_country_id__in=roles.staff_country_ids,
                kind=Finding.Kind.RECOMMENDATION,
                follow_up_status__in=[
                    Finding.FollowUp.OPEN,
                    Finding.FollowUp.ACCEPTED,
                    Finding.FollowUp.IN_PROGRESS,
                ],
            )
            .select_related("visit__host_country")
            .order_by("visit__start_date")
        )
    if roles.main_role == Role.STAFF:
        template = "peervisits/dashboard_staff.html"
        context["colleagues"] = (
            Actor.objects.filter(pk__in=roles.actor_ids)
            .prefetch_related("people")
            .select_related("country")
        )
    elif roles.main_role in (Role.COORDINATOR, Role.PROJECT_TEAM):
        template = (
            "peervisits/dashboard_coordinator.html"
            if roles.main_role == Role.COORDINATOR
            else "peervisits/dashboard_project_team.html"
        )
        context["countries"] = Country.objects.with_figures()
        context["actors_to_review"] = Actor.objects.filter(needs_review=True).select_related(
            "country"
        )
    else:
        template = "peervisits/dashboard_no_role.html"
    return render(request, template, context)


@require_GET
@never_cache
def healthz(request):
    problems = {"database": health.check_database(), "broker": health.check_broker()}
    body = {name: "ok" if problem is None else "down" for name, problem in problems.items()}
    status = 200 if all(problem is None for problem in problems.values()) else 503
    return JsonResponse(body, status=status)
