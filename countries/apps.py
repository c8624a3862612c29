from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CountriesConfig(AppConfig):
    name = "countries"
    verbose_name = _("Countries and actors")

    def ready(self):
        # Django's way to register at start-up, once the models are loaded.
        from . import rules  # noqa: F401
