"""
Who may do what with visits and with the methodology: coordinators everything, the project
team reads everything, ministry staff the visits their country hosts or joins and, within
those, their country's part. Who may *see* a visit is Visit.objects.visible_to's rule.
"""

from core.permissions import rule
from countries.roles import roles_of

from .models import Visit


def _visit_of(obj):
    return obj if isinstance(obj, Visit) else obj.visit


def _involved(user, obj):
    return bool(roles_of(user).staff_country_ids & _visit_of(obj).involved_country_ids())


# --- the methodology ---------------------------------------------------------------
# Every member reads it; coordinators draft, open consultations, adopt and restore; focal
# points answer for their country; staff and coordinators comment.


@rule("visits.view_methodologyversion", "visits.view_criterion")
def is_member(user, obj=None):
    return roles_of(user).is_member


@rule(
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
    "visits.approve_visit",
    "visits.restore_visit",
    "visits.delete_attachment",
)
def is_coordinator(user, obj=None):
    return roles_of(user).is_coordinator


@rule("visits.add_endorsement")
def is_focal_point(user, obj=None):
    return roles_of(user).is_focal_point


@rule("visits.add_consultationcomment")
def is_staff_or_coordinator(user, obj=None):
    roles = roles_of(user)
    return roles.is_coordinator or roles.is_staff_member


# --- visits ----------------------------------------------------------------------------


@rule("visits.view_visit", "visits.view_attachment")
def may_view_visit(user, obj=None):
    if obj is None:
        roles = roles_of(user)
        return roles.is_staff_member or roles.is_coordinator or roles.is_project_team
    return _visit_of(obj).is_visible_to(user)


@rule(
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
)
def hosts_visit(user, obj=None):
    """Coordinators, and staff of the host country (of any country, without an object)."""
    roles = roles_of(user)
    if roles.is_coordinator:
        return True
    if obj is None:
        return roles.is_staff_member
    return _visit_of(obj).host_country_id in roles.staff_country_ids


@rule("visits.add_finding", "visits.add_attachment")
def takes_part(user, obj=None):
    """Coordinators, and staff of a country that hosts or joins the visit."""
    roles = roles_of(user)
    if roles.is_coordinator:
        return True
    if obj is None:
        return roles.is_staff_member
    return _involved(user, obj)


@rule(
    "visits.change_delegation",
    "visits.change_finding",
    "visits.add_evaluation",
    "visits.change_evaluation",
)
def own_delegation(user, obj=None):
    """Coordinators, and staff of the country of the delegation (or of what belongs to it)."""
    roles = roles_of(user)
    if roles.is_coordinator:
        return True
    if obj is None:
        return roles.is_staff_member
    delegation = obj.delegation if hasattr(obj, "delegation") else obj
    return delegation.country_id in roles.staff_country_ids
