from django.core.management.base import BaseCommand

from reports.tasks import sweep


class Command(BaseCommand):
    help = (
        "Dispatch again the report jobs left queued (broker down, message lost) or running "
        "past their time limit (worker killed). Celery beat runs this every minute."
    )

    def handle(self, *args, **options):
        dispatched = sweep()
        self.stdout.write(f"{dispatched} report job(s) dispatched")
