"""rtpengine's call recordings: one pcap file per call (with Ethernet headers) holding the RTP
packets of every leg, and its metadata file. This module finds a call's recording and turns each
audio stream (one per SSRC, G.711 µ-law or A-law) into 16-bit PCM WAV, in pure Python."""

import struct
import wave
from collections import defaultdict
from pathlib import Path

PCMU, PCMA = 0, 8


def _ulaw_to_linear(byte):
    byte = ~byte & 0xFF
    sign = byte & 0x80
    exponent = (byte >> 4) & 0x07
    mantissa = byte & 0x0F
    sample = ((mantissa << 3) + 0x84) << exponent
    sample -= 0x84
    return -sample if sign else sample


def _alaw_to_linear(byte):
    byte ^= 0x55
    sign = byte & 0x80
    exponent = (byte >> 4) & 0x07
    mantissa = byte & 0x0F
    sample = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return sample if sign else -sample


ULAW = [_ulaw_to_linear(b) for b in range(256)]
ALAW = [_alaw_to_linear(b) for b in range(256)]


def recording_of(recordings_dir, call_id):
    """The pcap file rtpengine wrote for the call, or None."""
    matches = sorted(Path(recordings_dir, "pcaps").glob(f"{call_id}-*.pcap"))
    return matches[-1] if matches else None


def rtp_packets(pcap_path):
    """(ssrc, sequence number, payload type, payload) of every RTP packet in a pcap file written
    by rtpengine (link type Ethernet or raw IPv4)."""
    data = Path(pcap_path).read_bytes()
    if len(data) < 24:
        return
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link_type = struct.unpack(endian + "I", data[20:24])[0]
    offset = 24
    while offset + 16 <= len(data):
        _, _, captured, _ = struct.unpack(endian + "IIII", data[offset : offset + 16])
        frame = data[offset + 16 : offset + 16 + captured]
        offset += 16 + captured
        ip = frame[14:] if link_type == 1 else frame
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        udp = ip[(ip[0] & 0x0F) * 4 :]
        rtp = udp[8:]
        if len(rtp) < 12 or rtp[0] >> 6 != 2:
            continue
        csrc_count = rtp[0] & 0x0F
        header = 12 + 4 * csrc_count
        if rtp[0] & 0x10 and len(rtp) >= header + 4:
            header += 4 + 4 * struct.unpack("!H", rtp[header + 2 : header + 4])[0]
        payload_type = rtp[1] & 0x7F
        sequence = struct.unpack("!H", rtp[2:4])[0]
        ssrc = struct.unpack("!I", rtp[8:12])[0]
        yield ssrc, sequence, payload_type, rtp[header:]


def audio_streams(pcap_path):
    """{ssrc: 16-bit samples} of each G.711 stream of the recording, in packet order."""
    streams = defaultdict(list)
    for ssrc, _sequence, payload_type, payload in rtp_packets(pcap_path):
        if payload_type == PCMU:
            streams[ssrc].extend(ULAW[b] for b in payload)
        elif payload_type == PCMA:
            streams[ssrc].extend(ALAW[b] for b in payload)
    return dict(streams)


def write_wavs(pcap_path, directory):
    """One WAV file per audio stream of the recording (named by SSRC); their paths."""
    paths = []
    for ssrc, samples in audio_streams(pcap_path).items():
        path = Path(directory) / f"{Path(pcap_path).stem}-{ssrc:08x}.wav"
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(8000)
            wav.writeframes(struct.pack(f"<{len(samples)}h", *samples))
        paths.append(path)
    return paths
