"""Who may do what with countries, actors, people and user accounts; who opens the admin.

Roles are granted by superusers and, for ministry staff only, by the project team: a
coordinator's or the project team's role gives power over everybody, so only a superuser gives
or takes it, and nobody but a superuser changes their own memberships or an account that holds
such a role (its e-mail or its password would open it to someone else).
"""

from core.permissions import USE_ADMIN, fallback, rule

from .models import Membership
from .roles import Role, roles_of

ELEVATED = {Role.COORDINATOR, Role.PROJECT_TEAM}


# Countries, actors and people: every member reads them, the project team manages them.
@rule(
    "countries.view_country",
    "countries.view_actor",
    "countries.view_person",
    "countries.view_membership",
)
def is_member(user, obj=None):
    return roles_of(user).is_member


@rule(
    "countries.add_country",
    "countries.change_country",
    "countries.add_actor",
    "countries.change_actor",
    "countries.delete_actor",
    "countries.add_person",
    "countries.change_person",
    "countries.delete_person",
    "countries.add_membership",
    # The project team also manages user accounts and login lockouts in the admin.
    "auth.view_user",
    "auth.add_user",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accesslog",
    "axes.view_accessfailurelog",
    USE_ADMIN,
)
def is_project_team(user, obj=None):
    return roles_of(user).is_project_team


@fallback
def project_team_reads_everything(user, perm):
    """Reading is part of the project team's job, everywhere (the admin's lists included)."""
    return perm.split(".", 1)[-1].startswith("view_") and roles_of(user).is_project_team


def may_grant(user, role):
    """Whether `user` may give someone the role: superusers any, the project team staff's."""
    if user.is_superuser:
        return user.is_active
    return roles_of(user).is_project_team and role == Role.STAFF


@rule("auth.change_user")
def may_manage_account(user, account=None):
    """The project team manages accounts, except their own and those holding a coordinator's
    or the project team's role (and superusers'), which only a superuser changes."""
    if user.is_superuser:
        return user.is_active
    if not roles_of(user).is_project_team:
        return False
    if account is None:
        return True
    if account.pk == user.pk or account.is_superuser:
        return False
    return not Membership.objects.filter(user=account, role__in=ELEVATED).exists()


@rule("countries.change_membership", "countries.delete_membership")
def may_change_membership(user, membership=None):
    if membership is None:
        return roles_of(user).is_project_team
    return may_grant(user, membership.role) and may_manage_account(user, membership.user)
