"""
What a user's memberships make of them: their roles in the programme and the countries
they work for. Every permission rule and every ``visible_to(user)`` starts from here.
"""

from dataclasses import dataclass, field

from .models import Membership

Role = Membership.Role


@dataclass(frozen=True)
class Roles:
    """A user's roles, computed once per user object."""

    roles: frozenset = field(default_factory=frozenset)
    # Countries (Country ids) the user works for as ministry staff or coordinator.
    country_ids: frozenset = field(default_factory=frozenset)
    # Countries the user works for as ministry staff: the part of visits they may edit.
    staff_country_ids: frozenset = field(default_factory=frozenset)
    # Countries the user answers for in consultations.
    focal_point_country_ids: frozenset = field(default_factory=frozenset)
    actor_ids: frozenset = field(default_factory=frozenset)

    @property
    def is_member(self):
        return bool(self.roles)

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


def sees_everything(user):
    """Superusers, coordinators and the project team see every visit, lesson and report."""
    roles = roles_of(user)
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return roles.is_coordinator or roles.is_project_team
