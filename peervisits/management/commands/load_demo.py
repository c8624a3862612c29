from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from countries.demo import DEMO_PASSWORD, USERS

# Each app's demo module, in dependency order; each has a load() that creates
# only what is missing.
DEMO_MODULES = ["countries.demo", "visits.demo", "lessons.demo"]


class Command(BaseCommand):
    help = "Load the demo data of the real programme (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for module in DEMO_MODULES:
                import_module(module).load()

        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo users (password: {DEMO_PASSWORD}):")
        for username, _first, _last, country, role, focal_point in USERS:
            focal = ", focal point" if focal_point else ""
            self.stdout.write(f"  {username:<12} {role.label} ({country}{focal})")
