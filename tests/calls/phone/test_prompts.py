"""The media service's prompts: translatable texts spoken by espeak-ng into WAV files, rendered
once and then read from the folder (whichever process asks first renders them)."""

import pytest
from django.utils import translation

from calls.phone import prompts
from calls.phone.audio import read_wav, timeline
from calls.phone.prompts import Prompts
from tests.calls.phone.harness import require_phone
from tests.calls.phone.hearing import seconds_of


@pytest.fixture(autouse=True)
def espeak_ng():
    """espeak-ng is one of the phone system's packages (required in CI like the others)."""
    require_phone()


def test_a_prompt_is_speech_rendered_once_and_kept(tmp_path):
    spoken = Prompts(tmp_path)

    path = spoken.position(3, "de")
    written = path.stat().st_mtime_ns
    again = spoken.position(3, "de")

    assert again == path and path.stat().st_mtime_ns == written
    assert path.name.startswith("de-")
    samples, rate = read_wav(path)
    # espeak-ng's 22 050 Hz, every other sample is enough for the speech test.
    labels = timeline(samples[::2], rate // 2)
    assert seconds_of(labels, "speech") >= 1, labels


def test_each_language_has_its_voice_and_an_unknown_one_the_default(tmp_path, settings):
    settings.LANGUAGE_CODE = "en"
    spoken = Prompts(tmp_path)

    names = {spoken.fixed(prompts.MENU, language).name[:3] for language in ("en", "de", "nb")}

    assert names == {"en-", "de-", "nb-"}
    assert spoken.fixed(prompts.MENU, "fr") == spoken.fixed(prompts.MENU, "en")


def test_the_texts_are_translated_in_the_callers_language_not_the_current_one():
    with translation.override("de"):
        english = prompts.position_text(2, "en")
    assert english == "You are caller number 2."
    assert translation.get_language() != "de"


def test_every_prompt_a_caller_may_hear_is_rendered_at_start(tmp_path):
    spoken = Prompts(tmp_path)

    count, _seconds = spoken.render_all()

    assert count == len(prompts.VOICES) * (len(prompts.FIXED) + prompts.POSITIONS_AT_START)
    assert len(list(tmp_path.glob("*.wav"))) == count
    assert not list(tmp_path.glob("*.part"))
