from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    """The knowledge bank of lessons learnt (issue 5)."""

    name = "lessons"
    verbose_name = _("Knowledge bank")
