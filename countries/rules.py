"""Who may do what with countries, actors, people and user accounts; who opens the admin."""

from core.permissions import USE_ADMIN, fallback, rule

from .roles import roles_of


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
    "countries.change_membership",
    "countries.delete_membership",
    # The project team also manages user accounts and login lockouts in the admin.
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
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
