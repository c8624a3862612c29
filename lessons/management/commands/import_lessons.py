from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from lessons.knowledge_bank.applying import save_parsed
from lessons.knowledge_bank.parsing import ImportProblem, check_size, parse


class Command(BaseCommand):
    help = (
        "Import Knowledge Bank entries (plain text). A lesson of the same title is updated. "
        "Prints the lessons created and updated and the things flagged for review (new actors, "
        "unknown phases or places); a file that cannot be read, or that the database refused "
        "(it was busy, or an error), is reported by name, nothing of it is saved, and the other "
        "files still import. Each file is saved in a transaction of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--language",
            choices=["en", "es", "pt"],
            help="The language of the entries (default: guessed from their text).",
        )

    def handle(self, *args, paths, language=None, **options):
        created = updated = flagged = 0
        failed = []
        for name in paths:
            path = Path(name)
            try:
                try:
                    check_size(path.stat().st_size)
                    data = path.read_bytes()
                except OSError as error:
                    raise ImportProblem(error.strerror or str(error)) from error
                parsed = parse(data)
                if language:
                    parsed.language, parsed.language_is_guess = language, False
                lesson, report = save_parsed(parsed, source_file=path.name)
            except ImportProblem as problem:
                failed.append(name)
                self.stderr.write(f"{name}: {problem}")
                continue
            except DatabaseError as error:  # its transaction was rolled back: the next one starts
                failed.append(name)
                self.stderr.write(
                    _("%(file)s: not saved, the database refused it: %(error)s")
                    % {"file": name, "error": error}
                )
                continue
            if report.lesson_created:
                created += 1
                outcome = _("created")
            else:
                updated += 1
                outcome = _("updated")
            flagged += report.flagged_count
            self.stdout.write(
                _("%(file)s: %(outcome)s lesson %(id)s “%(title)s”; %(flagged)s flagged for review")
                % {
                    "file": name,
                    "outcome": outcome,
                    "id": lesson.pk,
                    "title": lesson.title,
                    "flagged": report.flagged_count,
                }
            )
            for kind, label, reason in report.flagged:
                self.stdout.write(f"  {kind}: {label} ({reason})")
            for warning in report.warnings:
                self.stdout.write(f"  {warning}")

        self.stdout.write(
            _(
                "Created: %(created)s, updated: %(updated)s, flagged for review: %(flagged)s, "
                "failed: %(failed)s."
            )
            % {"created": created, "updated": updated, "flagged": flagged, "failed": len(failed)}
        )
        if failed:
            raise CommandError(
                _("%(count)s file(s) could not be imported: %(files)s")
                % {"count": len(failed), "files": ", ".join(failed)}
            )
