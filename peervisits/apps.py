from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PeerVisitsConfig(AppConfig):
    default = True
    name = "peervisits"
    verbose_name = _("PeerVisits")

    def ready(self):
        # Django's way to register at start-up, once the models are loaded.
        from . import throttling  # noqa: F401 (counts failed sign-ins)


class PeerVisitsAdminConfig(admin_apps.AdminConfig):
    """Django's admin, opened to the project team by role rather than is_staff."""

    default = False
    default_site = "peervisits.admin.PeerVisitsAdminSite"
