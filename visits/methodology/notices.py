"""Who is told what about the methodology: the consultation's focal points find its e-mails
(tasks.py) in their inbox too, and the partners' staff hear that a version was adopted. The
kinds are registered at start-up (VisitsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from core import notifications

from .models import MethodologyVersion

CONSULTATION_OPENED = "methodology.consultation_opened"
CONSULTATION_REMINDER = "methodology.consultation_reminder"
VERSION_ADOPTED = "methodology.version_adopted"

# The consultation's e-mail templates (tasks.py) → their kind of inbox item.
MAILED = {
    "consultation_opened": CONSULTATION_OPENED,
    "consultation_reminder": CONSULTATION_REMINDER,
}


def register():
    notifications.register(
        CONSULTATION_OPENED,
        _("A consultation on the methodology is open"),
        _("Version %(number)s is open for consultation: your country's answer is awaited."),
        emailed_by_sender=True,
    )
    notifications.register(
        CONSULTATION_REMINDER,
        _("A reminder to answer a consultation"),
        _("Your country has not answered the consultation on version %(number)s yet."),
        emailed_by_sender=True,
    )
    notifications.register(
        VERSION_ADOPTED,
        _("A methodology version is adopted"),
        _("Version %(number)s of the methodology is adopted: new visit plans follow it."),
    )
    notifications.register_target(MethodologyVersion)


def consultation_mailed(version, users, template):
    """The focal points just e-mailed about the consultation get the same in their inbox."""
    notifications.notify(MAILED[template], users, version, number=version.number)


def version_adopted(version, users, actor):
    notifications.notify(VERSION_ADOPTED, users, version, actor, number=version.number)
