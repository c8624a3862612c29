from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """PDF reports rendered by Celery workers: jobs, kinds, the PDF service, downloads."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Django's way to register at start-up, once the models are loaded.
        from . import rules  # noqa: F401
