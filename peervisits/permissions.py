"""
Who may do what: the one place that answers it.

Views call ``user.has_perm(perm, obj)`` (through Django's auth, which asks
:class:`RulesBackend`), templates use ``perms`` for page-level permissions and
``{% can perm obj as var %}`` for objects. Each rule is a function of the
user's :class:`Roles` and the object; a permission without a rule is refused.
"""

from dataclasses import dataclass, field

from countries.models import Membership

Role = Membership.Role


@dataclass(frozen=True)
class Roles:
    """What a user's memberships make of them, computed once per user object."""

    roles: frozenset = field(default_factory=frozenset)
    # Countries (Country ids) the user works for as ministry staff or coordinator.
    country_ids: frozenset = field(default_factory=frozenset)
    # Countries the user works for as ministry staff: the part of visits they may edit.
    staff_country_ids: frozenset = field(default_factory=frozenset)
    # Countries the user answers for in consultations.
    focal_point_country_ids: frozenset = field(default_factory=frozenset)
    actor_ids: frozenset = field(default_factory=frozenset)

    @property
    def is_staff_member(self):
        return Role.STAFF in self.roles

    @property
    def is_coordinator(self):
        return Role.COORDINATOR in self.roles

    @property
    def is_project_team(self):
        return Role.PROJECT_TEAM in self.roles

    @property
    def is_focal_point(self):
        return bool(self.focal_point_country_ids)

    @property
    def main_role(self):
        """The role whose dashboard the user sees: the widest one they hold."""
        for role in (Role.PROJECT_TEAM, Role.COORDINATOR, Role.STAFF):
            if role in self.roles:
                return role
        return None


NO_ROLES = Roles()


def roles_of(user):
    """The user's roles, cached on the user object (one query per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ROLES
    cached = getattr(user, "_peervisits_roles", None)
    if cached is None:
        memberships = list(
            Membership.objects.filter(user=user).values_list(
                "role", "is_focal_point", "actor_id", "actor__country_id"
            )
        )
        cached = Roles(
            roles=frozenset(role for role, _fp, _a, _c in memberships),
            country_ids=frozenset(c for _r, _fp, _a, c in memberships if c is not None),
            staff_country_ids=frozenset(
                c for r, _fp, _a, c in memberships if r == Role.STAFF and c is not None
            ),
            focal_point_country_ids=frozenset(
                c for _r, fp, _a, c in memberships if fp and c is not None
            ),
            actor_ids=frozenset(a for _r, _fp, a, _c in memberships),
        )
        user._peervisits_roles = cached
    return cached


def forget_roles(user):
    """Drop the cached roles, after the user's memberships changed."""
    user.__dict__.pop("_peervisits_roles", None)


# --- rules -----------------------------------------------------------------

RULES = {}


def rule(*perms):
    def register(func):
        for perm in perms:
            RULES[perm] = func
        return func

    return register


def is_member(roles, obj=None):
    return bool(roles.roles)


def is_project_team(roles, obj=None):
    return roles.is_project_team


# Countries, actors and people: every member reads them, the project team
# manages them.
rule(
    "countries.view_country",
    "countries.view_actor",
    "countries.view_person",
    "countries.view_membership",
)(is_member)
rule(
    "countries.add_country",
    "countries.change_country",
    "countries.add_actor",
    "countries.change_actor",
    "countries.delete_actor",
    "countries.add_person",
    "countries.change_person",
    "countries.delete_person",
    "countries.add_membership",
    "countries.change_membership",
    "countries.delete_membership",
)(is_project_team)

# The project team also manages user accounts and login lockouts in the admin.
rule(
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accesslog",
    "axes.view_accessfailurelog",
)(is_project_team)


def is_coordinator(roles, obj=None):
    return roles.is_coordinator


def is_focal_point(roles, obj=None):
    return roles.is_focal_point


def is_partner_staff_or_coordinator(roles, obj=None):
    return roles.is_coordinator or roles.is_staff_member


# The methodology: every member reads it; coordinators draft, open consultations,
# adopt and restore; focal points answer for their country; staff comment.
rule("visits.view_methodologyversion", "visits.view_criterion")(is_member)
rule(
    "visits.add_methodologyversion",
    "visits.change_methodologyversion",
    "visits.add_criterion",
    "visits.change_criterion",
    "visits.delete_criterion",
    "visits.open_consultation",
    "visits.adopt_version",
    "visits.return_version",
    "visits.restore_criterion",
    "visits.accept_proposal",
)(is_coordinator)
rule("visits.add_endorsement")(is_focal_point)
rule("visits.add_consultationcomment")(is_partner_staff_or_coordinator)


# Visits: coordinators everything, the project team reads everything, ministry
# staff the visits their country hosts or joins, and within those what is their
# country's part.


def _involved_country_ids(visit):
    """The host and the countries of the visit's delegations (uses a prefetch when present)."""
    return {visit.host_country_id} | {d.country_id for d in visit.delegations.all()}


def _visit_of(obj):
    from visits.models import Visit

    return obj if isinstance(obj, Visit) else obj.visit


def may_view_visit(roles, obj=None):
    if roles.is_coordinator or roles.is_project_team:
        return True
    if obj is None:
        return roles.is_staff_member
    return bool(roles.staff_country_ids & _involved_country_ids(_visit_of(obj)))


def hosts_visit(roles, obj=None):
    """Coordinators, and staff of the host country (of any country, without an object)."""
    if roles.is_coordinator:
        return True
    if obj is None:
        return roles.is_staff_member
    return _visit_of(obj).host_country_id in roles.staff_country_ids


def takes_part(roles, obj=None):
    """Coordinators, and staff of a country that hosts or joins the visit."""
    if roles.is_coordinator:
        return True
    if obj is None:
        return roles.is_staff_member
    return bool(roles.staff_country_ids & _involved_country_ids(_visit_of(obj)))


def own_delegation(roles, obj=None):
    """Coordinators, and staff of the country of the delegation (or of what belongs to it)."""
    if roles.is_coordinator:
        return True
    if obj is None:
        return roles.is_staff_member
    delegation = obj.delegation if hasattr(obj, "delegation") else obj
    return delegation.country_id in roles.staff_country_ids


rule("visits.view_visit", "visits.view_attachment")(may_view_visit)
rule(
    "visits.add_visit",
    "visits.change_visit",
    "visits.submit_visit",
    "visits.transition_visit",
    "visits.add_delegation",
    "visits.add_agendaitem",
    "visits.change_agendaitem",
    "visits.add_budgetline",
    "visits.change_budgetline",
    "visits.add_compliancecheck",
    "visits.change_compliancecheck",
    "visits.respond_finding",
)(hosts_visit)
rule("visits.add_finding", "visits.add_attachment")(takes_part)
rule(
    "visits.change_delegation",
    "visits.change_finding",
    "visits.add_evaluation",
    "visits.change_evaluation",
)(own_delegation)
rule("visits.approve_visit", "visits.restore_visit", "visits.delete_attachment")(is_coordinator)


# The knowledge bank: published lessons are public; drafts are seen and edited by
# whoever wrote them and by coordinators; coordinators publish; coordinators and the
# project team import.


def may_view_lesson(roles, obj=None, user=None):
    if obj is None or obj.is_published or roles.is_coordinator or roles.is_project_team:
        return True
    return user is not None and obj.created_by_id == user.pk


def may_change_lesson(roles, obj=None, user=None):
    if roles.is_coordinator:
        return True
    if obj is None:
        return roles.is_staff_member
    return (
        user is not None
        and obj.created_by_id == user.pk
        and obj.status != obj.Status.PUBLISHED
        and roles.is_staff_member
    )


def may_import_lessons(roles, obj=None):
    return roles.is_coordinator or roles.is_project_team


def may_propose_revision(roles, obj=None):
    """Coordinators propose revisions; focal points suggest them."""
    return roles.is_coordinator or roles.is_focal_point


# These rules need the user themselves, not only their roles.
USER_RULES = {
    "lessons.view_lesson": may_view_lesson,
    "lessons.change_lesson": may_change_lesson,
}
rule("lessons.add_lesson")(may_change_lesson)
rule("lessons.publish_lesson")(is_coordinator)
rule("lessons.import_lessons")(may_import_lessons)
rule("lessons.propose_revision")(may_propose_revision)


# Reports: the project team and coordinators request every report; ministry staff
# the report of a visit their country takes part in. A job is followed by whoever
# requested it, and by the project team.


def may_request_report(roles, obj=None):
    """`obj` is the visit, lesson or version reported on, or the kind of a report without one."""
    from visits.models import Visit

    if roles.is_coordinator or roles.is_project_team:
        return True
    if obj is None:
        return roles.is_staff_member
    return isinstance(obj, Visit) and takes_part(roles, obj)


def may_view_report_job(roles, obj=None, user=None):
    if obj is None or roles.is_project_team:
        return bool(roles.roles)
    return user is not None and obj.requested_by_id == user.pk


rule("visits.request_report")(may_request_report)
USER_RULES["visits.view_reportjob"] = may_view_report_job


def may_use_admin(user):
    return user.is_superuser or roles_of(user).is_project_team


def has_perm(user, perm, obj=None):
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    if perm in USER_RULES:
        return bool(USER_RULES[perm](roles_of(user), obj, user))
    check = RULES.get(perm)
    if check is None:
        # Reading is part of the project team's job, everywhere.
        return perm.split(".", 1)[-1].startswith("view_") and roles_of(user).is_project_team
    return bool(check(roles_of(user), obj))


class RulesBackend:
    """Django auth backend that answers permissions from the rules above.

    It signs nobody in and loads no user (no BaseBackend): sessions name the backend that
    signed the user in, Django's ModelBackend, even though this one is asked first."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        return may_use_admin(user_obj) if user_obj.is_active else False
