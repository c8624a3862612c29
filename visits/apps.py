from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    """Visits and the jointly agreed methodology (criteria, versions, consultation)."""

    name = "visits"
    verbose_name = _("Visits and methodology")

    def ready(self):
        # Django's way to register at start-up, once the models are loaded.
        from . import figures, notices, rules  # noqa: F401 (figures registers its summary)
        from .methodology import notices as methodology_notices

        notices.register()
        methodology_notices.register()
