from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    """Visits, the jointly agreed methodology and the reports (issues 3, 4 and 6)."""

    name = "visits"
    verbose_name = _("Visits and methodology")
