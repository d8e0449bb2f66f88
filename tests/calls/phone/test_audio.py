"""The tone check the real-call tests rely on, on WAV files written here."""

import math
import random
import struct
import wave

from calls.phone.audio import heard, seconds_of_audio, tone_levels

RATE = 8000


def write_wav(path, samples):
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in samples))
    return path


def tone(frequency, seconds, amplitude=0.4, phase=0.0):
    return [
        amplitude * math.sin(2 * math.pi * frequency * i / RATE + phase)
        for i in range(int(seconds * RATE))
    ]


def test_a_tone_is_heard_and_the_others_are_not(tmp_path):
    path = write_wav(tmp_path / "a.wav", tone(660, 2))
    assert heard(path) == {660}
    assert tone_levels(path)[660] > 0.95
    assert seconds_of_audio(path) == 2


def test_a_tone_cut_by_jitter_buffer_phase_jumps_is_still_heard(tmp_path):
    rng = random.Random(1)
    samples = []
    for _ in range(40):
        samples += tone(440, 0.05, phase=rng.uniform(0, 2 * math.pi))
    assert heard(write_wav(tmp_path / "cut.wav", samples)) == {440}


def test_two_tones_at_once_are_both_heard(tmp_path):
    mixed = [a + b for a, b in zip(tone(440, 2, 0.3), tone(880, 2, 0.3), strict=True)]
    assert heard(write_wav(tmp_path / "mixed.wav", mixed), threshold=0.4) == {440, 880}


def test_silence_and_noise_hold_no_tone(tmp_path):
    rng = random.Random(2)
    assert heard(write_wav(tmp_path / "silence.wav", [0.0] * RATE * 2)) == set()
    noise = [rng.uniform(-0.3, 0.3) for _ in range(RATE * 2)]
    assert heard(write_wav(tmp_path / "noise.wav", noise)) == set()
