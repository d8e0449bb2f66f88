"""What the media service says to waiting callers, in their language: translatable texts, spoken
by espeak-ng into WAV files that are kept in the run directory under a name made from the voice
and the text, so that each is rendered once (by whichever process needs it first) and read from
the file afterwards. A queue's recording announcement, typed by an administrator, is rendered
the same way the first time a caller needs it."""

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

ESPEAK = "espeak-ng"
# espeak-ng's voice for each language of the interface.
VOICES = {"en": "en", "de": "de", "nb": "nb"}
# Words a minute: a little slower than espeak-ng's 175, for the telephone.
SPEED = 150
# Positions rendered when the media service starts; a caller further back waits for theirs to
# be rendered (a few hundredths of a second) with the music.
POSITIONS_AT_START = 10

MENU = "menu"
MESSAGE = "message"
THANKS = "thanks"
CALLBACK = "callback"
FIXED = (MENU, MESSAGE, THANKS, CALLBACK)


class PromptError(RuntimeError):
    pass


def espeak_binary():
    return shutil.which(ESPEAK)


def language_of(code):
    """The language the prompts are spoken in for a language code (the default for others)."""
    return code if code in VOICES else settings.LANGUAGE_CODE


def fixed_text(key, language):
    with translation.override(language_of(language)):
        return {
            MENU: _(
                "We are sorry to keep you waiting. To leave a message, press 1. "
                "To be called back, press 2."
            ),
            MESSAGE: _(
                "Please leave your message after the tone. When you are done, press the hash "
                "key or hang up."
            ),
            THANKS: _("Thank you for your message. Goodbye."),
            CALLBACK: _("We will call you back as soon as we can. Goodbye."),
        }[key]


def position_text(position, language):
    with translation.override(language_of(language)):
        return _("You are caller number %(position)s.") % {"position": position}


class Prompts:
    """The prompts' WAV files in a directory; each method returns the path of one, rendering it
    first if nobody has yet."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def fixed(self, key, language):
        return self.spoken(fixed_text(key, language), language)

    def position(self, position, language):
        return self.spoken(position_text(position, language), language)

    def spoken(self, text, language, background=False):
        """The WAV file of the text spoken in the language's voice (rendered at a lower
        priority in the background, so that it does not slow down the calls)."""
        voice = VOICES[language_of(language)]
        digest = hashlib.sha256(f"{voice}\n{SPEED}\n{text}".encode()).hexdigest()[:24]
        path = self.directory / f"{voice}-{digest}.wav"
        if not path.exists():
            self._render(text, voice, path, background)
        return path

    def _render(self, text, voice, path, background):
        binary = espeak_binary()
        if binary is None:
            raise PromptError(f"{ESPEAK} is not installed")
        # Written under another name and renamed: another process may render the same prompt
        # at the same moment, and a caller must never hear half a file.
        handle, partial = tempfile.mkstemp(dir=self.directory, suffix=".part")
        os.close(handle)
        try:
            subprocess.run(
                [binary, "-v", voice, "-s", str(SPEED), "-w", partial, "--stdin"],
                input=text.encode(),
                check=True,
                capture_output=True,
                timeout=30,
                preexec_fn=_lower_priority if background else None,
            )
            os.replace(partial, path)
        except (OSError, subprocess.SubprocessError) as error:
            raise PromptError(f"{ESPEAK} could not speak {text!r}: {error}") from error
        finally:
            Path(partial).unlink(missing_ok=True)

    def render_all(self):
        """Renders every fixed prompt and the first positions in every language, in the
        background; returns how many prompts there are and the seconds it took."""
        started = time.monotonic()
        jobs = []
        for language in VOICES:
            jobs += [(fixed_text(key, language), language) for key in FIXED]
            jobs += [
                (position_text(position, language), language)
                for position in range(1, POSITIONS_AT_START + 1)
            ]
        for text, language in jobs:
            self.spoken(text, language, background=True)
        return len(jobs), time.monotonic() - started


def _lower_priority():
    os.nice(10)
