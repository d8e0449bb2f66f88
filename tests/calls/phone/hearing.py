"""What a test caller has heard so far, block by block (calls.phone.audio.timeline): the parties'
tones, the hold music (a steady tone in the tests), the tone before a message, and speech (the
media service's prompts)."""

from calls.phone.audio import growing_wav, timeline
from calls.phone.media import BEEP_HZ
from tests.calls.phone.harness import HOLD_TONE

SOUNDS = (440, 660, HOLD_TONE, BEEP_HZ)
BLOCK = 0.1  # seconds: timeline()'s blocks


def heard_so_far(party):
    """The party's recording up to now (its file is still being written)."""
    if not party.recording.exists():
        return []
    return timeline(*growing_wav(party.recording), tones=SOUNDS)


def music_after_speech(labels, music_blocks=5):
    """Whether the music came back after a second of speech (the caller's place)."""
    speech = [index for index, label in enumerate(labels) if label == "speech"]
    return len(speech) >= 10 and labels[speech[-1] :].count(HOLD_TONE) >= music_blocks


def seconds_of(labels, sound):
    return BLOCK * labels.count(sound)
