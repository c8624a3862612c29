"""What the notification tests register: a kind of their own and visits as targets. Imported
by those tests, and by the Celery worker of the integration test (through
notification_worker_settings), which must know the kind to word its e-mail."""

from django.utils.translation import gettext_lazy as _

from core import notifications
from countries.models import Country
from visits.models import Delegation, Visit

KIND = "tests.person_saved"

# A sentence the catalogs already translate, so that a test reads the language of a mail.
notifications.register(
    KIND, _("Person saved"), _("Person “%(name)s” saved."), subject=_("Person saved")
)
notifications.register_target(Visit)


def paraguay_visit(title="Care services in the territory"):
    """A visit Paraguay hosts and Uruguay joins: its staff see it, Brazil's do not."""
    visit = Visit.objects.create(host_country=Country.objects.get(code="PY"), title=title)
    Delegation.objects.create(visit=visit, country=visit.host_country, is_host=True)
    Delegation.objects.create(visit=visit, country=Country.objects.get(code="UY"))
    return visit
