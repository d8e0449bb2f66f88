"""Call recordings: how long turning rtpengine's recording of a call into its MP3 takes, and how
big the MP3 is, for a call of --minutes minutes where both parties send audio throughout (the
worst case: rtpengine forwards silence as RTP too). G.711 (8 kHz) and, with --wideband, G.722
against Opus (16 kHz). Files in a temporary folder, no database:

    DEBUG=true .venv/bin/python bench/recordings.py --minutes 5 [--wideband]

Figures in docs/benchmarks.md, "Calls: recordings"."""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from calls import recordings  # noqa: E402
from tests.calls.recording_files import tone_payloads, write_raw_recording  # noqa: E402
from tests.calls.test_recordings import g722_payloads, opus_payloads  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--wideband", action="store_true")
    options = parser.parse_args()
    seconds = int(options.minutes * 60)
    with tempfile.TemporaryDirectory() as folder:
        settings.CALL_RECORDINGS_DIR = Path(folder)
        if options.wideband:
            parties = [
                (31000, g722_payloads(440, 1.0) * seconds, 0.0, 9, 160),
                (32000, opus_payloads(660, 1.0) * seconds, 0.0, 111, 960),
            ]
            sdp = "a=rtpmap:9 G722/8000\r\na=rtpmap:111 opus/48000/2\r\n"
        else:
            parties = [
                (31000, tone_payloads(440, 1.0) * seconds, 0.0),
                (32000, tone_payloads(660, 1.0) * seconds, 0.0),
            ]
            sdp = "a=rtpmap:0 PCMU/8000\r\n"
        write_raw_recording(Path(folder), "bench", parties, sdp=sdp)
        raws = recordings.finished_raw_recordings("bench")
        pcap_size = raws[0].pcap.stat().st_size
        started = time.perf_counter()
        decoded = recordings.decode(raws)
        decoded_at = time.perf_counter()
        target = Path(folder) / "call.mp3"
        recordings.write_mp3(target, decoded.samples, decoded.rate)
        done = time.perf_counter()
        minutes = len(decoded.samples) / decoded.rate / 60
        print(
            f"{minutes:.1f} min at {decoded.rate} Hz: read, decode and mix "
            f"{decoded_at - started:.2f} s, MP3 {done - decoded_at:.2f} s; "
            f"pcap {pcap_size / minutes / 1000:.0f} kB/min, "
            f"WAV {2 * decoded.rate * 60 / 1000:.0f} kB/min, "
            f"MP3 {target.stat().st_size / minutes / 1000:.0f} kB/min"
        )


if __name__ == "__main__":
    main()
