from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lessons.knowledge_bank.exporting import export
from lessons.models import Lesson


class Command(BaseCommand):
    help = "Write a lesson in the Knowledge Bank plain-text layout to standard output."

    def add_arguments(self, parser):
        parser.add_argument("lesson_id", type=int, metavar="ID")

    def handle(self, *args, lesson_id, **options):
        try:
            lesson = Lesson.objects.select_related("phase").get(pk=lesson_id)
        except Lesson.DoesNotExist:
            raise CommandError(_("There is no lesson %(id)s.") % {"id": lesson_id}) from None
        self.stdout.write(export(lesson), ending="")
