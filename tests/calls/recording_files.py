"""rtpengine's recording of a call, written the way rtpengine writes it (a pcap of the RTP packets
each party sent, and the metadata file naming it), for tests that need one without a real call."""

import math
import struct
from datetime import timedelta
from pathlib import Path

from calls.recordings import escaped_call_id

RATE = 8000
PACKET_SAMPLES = 160  # 20 ms


def ulaw(sample: int) -> int:
    """G.711 µ-law of a 16-bit sample."""
    sign = 0x80 if sample < 0 else 0
    sample = min(abs(sample), 32635) + 0x84
    exponent = max(0, (sample >> 7).bit_length() - 1)
    mantissa = (sample >> (exponent + 3)) & 0x0F
    return ~(sign | exponent << 4 | mantissa) & 0xFF


def tone_payloads(frequency: float, seconds: float, amplitude: float = 0.3):
    samples = [
        int(amplitude * 32767 * math.sin(2 * math.pi * frequency * i / RATE))
        for i in range(int(seconds * RATE))
    ]
    encoded = bytes(ulaw(value) for value in samples)
    return [encoded[i : i + PACKET_SAMPLES] for i in range(0, len(encoded), PACKET_SAMPLES)]


def _frame(source_port: int, payload: bytes) -> bytes:
    udp = struct.pack("!HHHH", source_port, 40000, 8 + len(payload), 0) + payload
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + len(udp),
        0,
        0,
        64,
        17,
        0,
        bytes([127, 0, 0, 1]),
        bytes([127, 0, 0, 1]),
    )
    return bytes(12) + b"\x08\x00" + ip + udp


SDP = (
    "v=0\r\nm=audio 4000 RTP/AVP 0 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
)


def write_raw_recording(
    directory: Path, call_id: str, parties, start: float = 1_800_000_000.0, sdp: str = SDP
):
    """A finished recording of call_id in rtpengine's layout under directory; parties is a list
    of (source port, payloads, seconds after start it begins[, payload type, RTP clock ticks a
    packet]), PCMU with 160 ticks by default. Returns (metadata, pcap)."""
    packets = []
    for number, (port, payloads, begins, *codec) in enumerate(parties):
        payload_type, ticks = codec or (0, 160)
        ssrc = 1000 + number
        for index, payload in enumerate(payloads):
            rtp = struct.pack(
                "!BBHII", 0x80, payload_type, index & 0xFFFF, 5000 + index * ticks, ssrc
            )
            packets.append((start + begins + index * 0.02, _frame(port, rtp + payload)))
    packets.sort(key=lambda item: item[0])
    stem = f"{escaped_call_id(call_id)}-0123456789abcdef"
    pcap = directory / "pcaps" / f"{stem}.pcap"
    metadata = directory / "metadata" / f"rtpengine-meta-{stem}.txt"
    for folder in ("pcaps", "metadata", "tmp"):
        (directory / folder).mkdir(parents=True, exist_ok=True)
    with open(pcap, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for at, frame in packets:
            seconds = int(at)
            out.write(
                struct.pack("<IIII", seconds, int((at - seconds) * 1e6), len(frame), len(frame))
            )
            out.write(frame)
    metadata.write_text(
        f"{pcap}\n\n\nSDP mode: offer\n\n{sdp}\n"
        "call start time: 2027-01-15T08:00:00\ncall end time: 2027-01-15T08:00:03\n"
    )
    return metadata, pcap


def call_with_recording(call_id: str, agent, queue, start, directory: Path, seconds: float):
    """A call of the queue the agent took for `seconds`, with rtpengine's recording of it (the
    caller at 440 Hz, the agent at 660 Hz) stored as the call's recording."""
    from calls.models import Call
    from calls.services import call_event_record, call_recording_save

    for event, at in (("answered", 0), ("hangup", seconds)):
        call_event_record(
            call_id=call_id,
            event=event,
            at=start + timedelta(seconds=at),
            from_number="+4930123456",
            to_number="311",
            username=agent.username,
            queue_name=queue.name,
        )
    call = Call.objects.get(call_id=call_id)
    write_raw_recording(
        directory,
        call_id,
        [(31000, tone_payloads(440, seconds), 0.0), (32000, tone_payloads(660, seconds), 0.0)],
    )
    call_recording_save(call=call)
    return call
