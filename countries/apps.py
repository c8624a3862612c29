from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def language_of_country(user):
    """The language PeerVisits writes to `user` in: their country's, the country of the
    actor of their first membership (None for a member of no country's actor)."""
    membership = (
        user.memberships.filter(actor__country__isnull=False)
        .select_related("actor__country")
        .order_by("pk")
        .first()
    )
    return membership.actor.country.language if membership else None


class CountriesConfig(AppConfig):
    name = "countries"
    verbose_name = _("Countries and actors")

    def ready(self):
        # Django's way to register at start-up, once the models are loaded.
        from core import notifications

        from . import rules  # noqa: F401

        notifications.register_language(language_of_country)
