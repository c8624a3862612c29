"""
Who may request and follow reports: the project team and coordinators request every report;
ministry staff the report of a visit their country takes part in. A job is followed by whoever
requested it, and by the project team (ReportJob.objects.visible_to's rule).
"""

from core.permissions import rule
from countries.roles import roles_of
from visits.models import Visit
from visits.rules import takes_part


@rule("reports.request_report")
def may_request_report(user, obj=None):
    """`obj` is the visit, lesson or version reported on, or the kind of a report without one."""
    roles = roles_of(user)
    if roles.is_coordinator or roles.is_project_team:
        return True
    if obj is None:
        return roles.is_staff_member
    return isinstance(obj, Visit) and takes_part(user, obj)


@rule("reports.view_reportjob")
def may_view_report_job(user, obj=None):
    if obj is None:
        return roles_of(user).is_member
    return obj.is_visible_to(user)
