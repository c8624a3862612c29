"""
Who may do what in the knowledge bank: published lessons are public; drafts are seen and
edited by whoever wrote them and by coordinators; coordinators publish; coordinators and the
project team import. Who may *see* a lesson is Lesson.objects.visible_to's rule.
"""

from core.permissions import rule
from countries.roles import roles_of


@rule("lessons.view_lesson")
def may_view_lesson(user, obj=None):
    return obj is None or obj.is_visible_to(user)


@rule("lessons.add_lesson", "lessons.change_lesson")
def may_change_lesson(user, obj=None):
    roles = roles_of(user)
    if roles.is_coordinator:
        return True
    if obj is None:
        return roles.is_staff_member
    return (
        obj.created_by_id == user.pk
        and obj.status != obj.Status.PUBLISHED
        and roles.is_staff_member
    )


@rule("lessons.publish_lesson")
def is_coordinator(user, obj=None):
    return roles_of(user).is_coordinator


@rule("lessons.import_lessons")
def may_import_lessons(user, obj=None):
    roles = roles_of(user)
    return roles.is_coordinator or roles.is_project_team


@rule("lessons.propose_revision")
def may_propose_revision(user, obj=None):
    """Coordinators propose revisions; focal points suggest them."""
    roles = roles_of(user)
    return roles.is_coordinator or roles.is_focal_point
