from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    """The knowledge bank: lessons learnt, good practices and success stories."""

    name = "lessons"
    verbose_name = _("Knowledge bank")

    def ready(self):
        # Django's way to register at start-up, once the models are loaded.
        from . import facets, rules  # noqa: F401 (facets registers its summary)
