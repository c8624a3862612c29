from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from countries.models import Actor, Country
from countries.roles import Role, roles_of
from lessons.models import Lesson
from visits.methodology.workflow import open_consultations
from visits.models import Finding, Visit

from . import health, throttling, todo
from .previews import preview


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
        "consultations": open_consultations(
            roles.focal_point_country_ids, progress=roles.is_coordinator
        ),
    }
    visits = Visit.objects.visible_to(request.user).select_related("host_country")
    context["visits_in_progress"] = preview(visits.in_progress().order_by("start_date", "pk"))
    context["drafts"] = preview(visits.being_planned().order_by("-updated_at"))
    # What waits for the user: the plans to approve are there, not in the visits' lists.
    context["todos"] = todo.todos_of(request.user, roles, context["consultations"])
    if roles.staff_country_ids:
        # Recommendations the user's country received and still follows up, the newest first.
        context["follow_ups"] = preview(
            Finding.objects.followed_up_by(request.user)
            .select_related("visit__host_country")
            .order_by("-pk")
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
        context["actors_to_review"] = preview(
            Actor.objects.filter(needs_review=True).select_related("country").order_by("name")
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


class SignInView(auth_views.LoginView):
    """Django's sign-in, refused for a while to addresses and user names that failed too often
    (peervisits/throttling.py; django-axes locks the user and address together)."""

    def post(self, request, *args, **kwargs):
        if throttling.sign_in_refused(request):
            return throttling.refused_sign_in(request)
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's new password by e-mail, limited per address and per e-mail address."""

    def post(self, request, *args, **kwargs):
        if throttling.password_reset_refused(request):
            form = self.get_form()
            form.add_error(
                None,
                _(
                    "A new password was asked for too often from here or for this e-mail address. "
                    "Please try again in an hour."
                ),  # fmt: skip
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)
