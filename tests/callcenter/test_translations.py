"""German and Norwegian Bokmål are complete for every string in the interface."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LANGUAGES = ["de", "nb"]
# What makemessages reads: the project's own apps (every one installed from this folder, so a new
# app is not forgotten here) and the templates.
SOURCES = [
    *(app for app in settings.INSTALLED_APPS if (Path(settings.BASE_DIR) / app).is_dir()),
    "templates",
]


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(
        str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po")
    )


def msgids(po: polib.POFile) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in po if not entry.obsolete}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    po = catalogue(language)
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [], f"{language}: untranslated {untranslated}"
    assert fuzzy == [], f"{language}: fuzzy {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_source(language):
    po = catalogue(language)
    mo = polib.mofile(str(Path(po.fpath).with_suffix(".mo")))
    compiled = {(entry.msgctxt or "", entry.msgid): entry.msgstr for entry in mo}
    written = {
        (entry.msgctxt or "", entry.msgid): entry.msgstr for entry in po.translated_entries()
    }
    assert compiled == written, "run `make messages` to compile the catalogues"


def test_the_catalogues_hold_every_string_of_the_source(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("gettext is needed on CI: apt-get install gettext")
        pytest.skip("gettext is not installed (apt-get install gettext)")
    base = Path(settings.BASE_DIR)
    for source in SOURCES:
        shutil.copytree(base / source, tmp_path / source, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--no-location",
            *[f"-l{lang}" for lang in LANGUAGES],
        ],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "true"},
        check=True,
        capture_output=True,
    )
    for language in LANGUAGES:
        extracted = msgids(
            polib.pofile(str(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"))
        )
        missing = extracted - msgids(catalogue(language))
        assert not missing, f"{language}: run `make messages` and translate {sorted(missing)}"
