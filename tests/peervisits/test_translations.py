"""The es and pt catalogues cover every UI text, completely and correctly."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["es", "pt"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}")


def catalogue(root, language):
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    po = catalogue(ROOT, language)
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    for entry in catalogue(ROOT, language).translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            assert sorted(PLACEHOLDER.findall(translation)) == expected, entry.msgid


def test_catalogues_are_up_to_date_with_the_source(tmp_path):
    """makemessages on a copy of the tree finds no text the catalogues lack."""
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "var", "static", "test-results", "*.mo"
        ),
    )
    # A canary proves that makemessages really scanned the copy.
    canary = "Canary text that only this test writes"
    (copy / "templates" / "_canary.html").write_text(
        f'{{% load i18n %}}{{% translate "{canary}" %}}'
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *[f"--locale={language}" for language in LANGUAGES],
            "--ignore=tests",
            "-v",
            "0",
        ],
        cwd=copy,
        check=True,
        env={"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path / "var")},
    )
    for language in LANGUAGES:
        committed = {e.msgid for e in catalogue(ROOT, language)}
        current = {e.msgid for e in catalogue(copy, language) if not e.obsolete}
        assert canary in current
        current.discard(canary)
        assert sorted(current - committed) == [], f"run `make messages` and translate ({language})"
