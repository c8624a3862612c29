from django.core.management.base import BaseCommand

from core import summaries


class Command(BaseCommand):
    help = (
        "Computes every summary kept on write again (the knowledge bank's facets, the "
        "programme's figures): after rows were written without the ORM's signals."
    )

    def handle(self, *args, **options):
        for summary in summaries.refresh_all():
            self.stdout.write(f"{summary.key}: computed at {summary.computed_at:%Y-%m-%d %H:%M:%S}")
