"""
A criterion drawn from a lesson or a finding no longer carries a copy of its title in `origin`:
the pages say where it came from, to each reader as far as they may see it (the title of a
finding of a visit a country did not join was shown to every member). The sentences the first
stage wrote there, in any of the three languages, are removed; the link to the lesson or the
finding stays, and so does any other text of `origin`.
"""

from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

LANGUAGES = ["en", "es", "pt"]


def openings():
    """How the first stage's sentences begin, before the quoted title, in each language."""
    found = set()
    for language in LANGUAGES:
        with translation.override(language):
            for sentence in (
                gettext("Proposed by the lesson “%(title)s”."),
                gettext("Proposed by the finding “%(title)s” of %(visit)s."),
            ):
                found.add(sentence.split("“")[0])
    return tuple(found)


def remove_copies(apps, schema_editor):
    Criterion = apps.get_model("visits", "Criterion")
    drawn = Criterion.objects.exclude(origin="").exclude(origin_lesson=None, origin_finding=None)
    copied = [c.pk for c in drawn.only("pk", "origin") if c.origin.strip().startswith(openings())]
    Criterion.objects.filter(pk__in=copied).update(origin="")


class Migration(migrations.Migration):
    dependencies = [("visits", "0008_follow_up_index")]

    operations = [migrations.RunPython(remove_copies, migrations.RunPython.noop)]
