"""Which tones a recording holds: each test party plays its own frequency (440, 660, 880 Hz), and
a Goertzel filter per frequency over the recorded WAV tells who heard whom. Pure Python: the
recordings are a few seconds of 8 kHz mono."""

import math
import struct
import wave
from pathlib import Path

TONES = (440, 660, 880)


def read_wav(path):
    """(samples as floats in -1..1, sample rate) of a 16-bit PCM WAV file (first channel)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: {8 * wav.getsampwidth()}-bit samples, 16 expected")
        channels = wav.getnchannels()
        rate = wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    values = struct.unpack(f"<{len(frames) // 2}h", frames)[::channels]
    return [value / 32768 for value in values], rate


def goertzel_power(samples, rate, frequency):
    """The power of one frequency in the samples, normalised so that a full-scale sine of that
    frequency gives about 0.25 whatever the length."""
    count = len(samples)
    if not count:
        return 0.0
    coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
    previous = before = 0.0
    for sample in samples:
        previous, before = sample + coefficient * previous - before, previous
    power = previous * previous + before * before - coefficient * previous * before
    return power / (count * count)


def tone_levels(path, frequencies=TONES, skip_seconds=0.3, block_seconds=0.05, until=None):
    """{frequency: share of the recording's energy at that frequency (0..1)} for the WAV file,
    leaving out its first skip_seconds (call setup), up to until seconds (the end if None).

    The filter runs over short blocks whose powers are added up: over a whole recording it
    would be a filter a fraction of a hertz wide, and the phase jumps a jitter buffer makes
    when it drops or repeats a frame would cancel the tone out."""
    samples, rate = read_wav(path)
    samples = samples[int(skip_seconds * rate) : None if until is None else int(until * rate)]
    size = max(1, int(block_seconds * rate))
    blocks = [samples[i : i + size] for i in range(0, len(samples) - size + 1, size)]
    energy = sum(sum(sample * sample for sample in block) / size for block in blocks)
    if energy <= 0:
        return dict.fromkeys(frequencies, 0.0)
    # A sine of amplitude A has energy A²/2 and Goertzel power A²/4: the share is 2·power/energy.
    return {
        f: min(1.0, sum(2 * goertzel_power(block, rate, f) for block in blocks) / energy)
        for f in frequencies
    }


def heard(path, frequencies=TONES, threshold=0.5, skip_seconds=0.3, until=None):
    """The frequencies that carry at least threshold of the recording's energy (between
    skip_seconds and until)."""
    levels = tone_levels(path, frequencies, skip_seconds, until=until)
    return {f for f, share in levels.items() if share >= threshold}


def seconds_of_audio(path):
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def growing_wav(path):
    """(samples, rate) of a 16-bit mono WAV file its party is still writing: its header does not
    count the samples yet, so they are read from after it."""
    data = Path(path).read_bytes()[44:]
    data = data[: len(data) // 2 * 2]
    return [value / 32768 for value in struct.unpack(f"<{len(data) // 2}h", data)], 8000


# Frequencies a block of speech spreads its energy over (and a tone or the music does not).
PROBES = tuple(range(200, 3401, 100))


def timeline(samples, rate, tones=TONES, block_seconds=0.1, floor=0.01):
    """What each block of the samples holds: None (quiet), a tone of `tones` (carrying most of
    the block's energy), or "speech": loud, with no frequency carrying most of its energy."""
    size = int(block_seconds * rate)
    labels = []
    for start in range(0, len(samples) - size + 1, size):
        block = samples[start : start + size]
        energy = sum(sample * sample for sample in block) / size
        if energy < floor * floor:
            labels.append(None)
            continue
        shares = {f: 2 * goertzel_power(block, rate, f) / energy for f in tones}
        tone = max(shares, key=shares.get)
        if shares[tone] >= 0.5:
            labels.append(tone)
        elif max(2 * goertzel_power(block, rate, f) / energy for f in PROBES) < 0.5:
            labels.append("speech")
        else:
            labels.append("other")
    return labels
