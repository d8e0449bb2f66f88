"""Call recordings as files: what rtpengine leaves of a recorded call (a pcap of every RTP packet
it relayed for the call and a metadata file naming it), turned into one compressed audio file
with both parties mixed, and where those files are.

rtpengine (``--recording-method=pcap``) writes ``<dir>/pcaps/<Call-ID>-<16 hex>.pcap`` while
the call lasts and, once it has forgotten the call, ``<dir>/metadata/rtpengine-meta-<Call-ID>-<16
hex>.txt``: the pcap's path on its first line, then the SDP of each offer and answer. The
Call-ID is URI-escaped in both names (everything but letters, digits and ``-._~``). Its
recording daemon, which writes MP3 itself, needs rtpengine's kernel module, which these
machines do not have: the decoding here is ours.

Decoded: G.711 (PCMU, PCMA) in Python, G.722 through spandsp and Opus through libopus (both
libraries come with rtpengine's package). Encoded: MP3 through libsndfile (with LAME), mono,
8 kHz (16 kHz when a party spoke a wideband codec). Nothing here touches the database
(calls.services does)."""

import ctypes
import ctypes.util
import io
import logging
import re
import struct
import wave
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from django.conf import settings

logger = logging.getLogger(__name__)

CONTENT_TYPE = "audio/mpeg"
SUFFIX = ".mp3"
# libsndfile's compression level for MP3 by sample rate, 0 (best) .. 1 (smallest), constant
# bitrate: 8 kHz (G.711 calls) 16 kbit/s, 120 kB a minute (as WAV: 960 kB); 16 kHz (G.722, Opus)
# 24 kbit/s, 180 kB a minute (as WAV: 1.9 MB).
MP3_COMPRESSION_LEVELS = {8000: 0.8, 16000: 0.9}


class RecordingError(Exception):
    """A recording that cannot be read or written (the message says why, for the log)."""


class NoAudio(RecordingError):
    """rtpengine recorded the call but no audio passed (a call that ended while it rang)."""


# Where the files are ---------------------------------------------------------------------


def raw_dir() -> Path:
    """rtpengine's recording directory (its pcaps/, metadata/ and tmp/)."""
    return Path(settings.CALL_RECORDINGS_DIR)


def stored_dir() -> Path:
    """Where the compressed recordings are kept: a folder of the recording directory that
    rtpengine does not use."""
    return raw_dir() / "calls"


def stored_path(name: str) -> Path:
    """The file of a stored recording's name (a relative path made by store_name); refuses
    anything that would leave the folder."""
    base = stored_dir().resolve()
    path = (base / name).resolve()
    if base not in path.parents:
        raise RecordingError(f"{name!r} is not a recording's name")
    return path


def escaped_call_id(call_id: str) -> str:
    """The Call-ID as rtpengine puts it in its file names (GLib's g_uri_escape_string)."""
    return quote(call_id, safe="-._~")


@dataclass
class RawRecording:
    """One finished recording rtpengine left for a call (a call has more than one when rtpengine
    forgot it and saw it again)."""

    metadata: Path
    pcap: Path
    sdp: str

    def remove(self) -> None:
        for path in (self.pcap, self.metadata):
            path.unlink(missing_ok=True)


def finished_raw_recordings(call_id: str, directory: Path | None = None) -> list[RawRecording]:
    """The finished recordings of a call: those whose metadata rtpengine has moved to
    metadata/ (it does when it forgets the call), oldest first."""
    directory = directory or raw_dir()
    prefix = f"rtpengine-meta-{escaped_call_id(call_id)}-"
    pattern = re.compile(re.escape(prefix) + r"[0-9a-f]{16}\.txt\Z")
    found = []
    metadata_dir = directory / "metadata"
    if not metadata_dir.is_dir():
        return []
    for path in metadata_dir.iterdir():
        if not pattern.match(path.name):
            continue
        text = path.read_text(errors="replace")
        first, _, rest = text.partition("\n")
        pcap = Path(first.strip())
        if not pcap.is_absolute():
            pcap = directory / "pcaps" / pcap.name
        found.append(RawRecording(metadata=path, pcap=pcap, sdp=rest))
    found.sort(key=lambda raw: raw.metadata.stat().st_mtime)
    return found


META_NAME = re.compile(r"\Artpengine-meta-(.+)-[0-9a-f]{16}\.txt\Z")


def leftover_call_ids(not_after: float, directory: Path | None = None, limit: int = 10):
    """Call-IDs of finished recordings rtpengine wrote before not_after (a Unix time) that are
    still waiting to be converted (their call's end was never reported, or its task was lost)."""
    directory = directory or raw_dir()
    metadata_dir = directory / "metadata"
    if not metadata_dir.is_dir():
        return []
    found = []
    for path in sorted(metadata_dir.iterdir()):
        match = META_NAME.match(path.name)
        try:
            old = path.stat().st_mtime < not_after
        except FileNotFoundError:
            continue
        if match and old:
            found.append(unquote(match.group(1)))
        if len(found) >= limit:
            break
    return found


def set_aside(call_id: str, directory: Path | None = None) -> None:
    """Keeps a call's unreadable recording out of further attempts (its metadata renamed, so
    that it is no longer found); the retention sweep removes it with the other raw files."""
    for raw in finished_raw_recordings(call_id, directory):
        raw.metadata.replace(raw.metadata.with_name(raw.metadata.name + ".unreadable"))


def recording_in_progress(call_id: str, directory: Path | None = None) -> bool:
    """Whether rtpengine is still writing a recording of the call."""
    directory = directory or raw_dir()
    prefix = f"rtpengine-meta-{escaped_call_id(call_id)}-"
    tmp = directory / "tmp"
    return tmp.is_dir() and any(path.name.startswith(prefix) for path in tmp.iterdir())


def remove_raw_not_after(cutoff: float, directory: Path | None = None) -> list[Path]:
    """Removes rtpengine's files (finished metadata, pcaps) last written before cutoff (a Unix
    time): raw recordings never turned into a call's recording (a call the application does not
    know, a recording that could not be read) are not kept longer than recordings are. Returns
    what it removed."""
    directory = directory or raw_dir()
    removed = []
    for folder in ("metadata", "pcaps"):
        path = directory / folder
        if not path.is_dir():
            continue
        for entry in path.iterdir():
            try:
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    entry.unlink()
                    removed.append(entry)
            except FileNotFoundError:
                continue
    return removed


# Reading rtpengine's pcap ------------------------------------------------------------------


@dataclass
class Packet:
    at: float  # seconds (the capture's clock)
    sequence: int
    timestamp: int
    payload_type: int
    payload: bytes


@dataclass
class Stream:
    """The RTP packets one party sent (one source address and SSRC)."""

    source: tuple
    ssrc: int
    packets: list[Packet] = field(default_factory=list)


LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = (12, 14, 101)


def read_pcap(path: Path) -> list[Stream]:
    """The RTP streams of a pcap file as rtpengine writes it (Ethernet or raw IP, IPv4 or IPv6,
    UDP); RTCP and anything that is not RTP version 2 is left out."""
    data = Path(path).read_bytes()
    if len(data) < 24:
        raise RecordingError(f"{path}: not a pcap file (too short)")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        raise RecordingError(f"{path}: not a pcap file")
    fraction = 1e-9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e-6
    linktype = struct.unpack_from(order + "I", data, 20)[0] & 0xFFFF
    streams: dict[tuple, Stream] = {}
    offset = 24
    while offset + 16 <= len(data):
        seconds, part, captured, _ = struct.unpack_from(order + "IIII", data, offset)
        offset += 16
        frame = data[offset : offset + captured]
        offset += captured
        found = _udp_payload(frame, linktype)
        if found is None:
            continue
        source, payload = found
        packet = _rtp(payload, seconds + part * fraction)
        if packet is None:
            continue
        ssrc, packet = packet
        key = (source, ssrc)
        if key not in streams:
            streams[key] = Stream(source=source, ssrc=ssrc)
        streams[key].packets.append(packet)
    return list(streams.values())


def _udp_payload(frame: bytes, linktype: int):
    if linktype == LINKTYPE_ETHERNET:
        if len(frame) < 14:
            return None
        ethertype = struct.unpack_from("!H", frame, 12)[0]
        ip = frame[14:]
        if ethertype not in (0x0800, 0x86DD):
            return None
    elif linktype in LINKTYPE_RAW:
        ip = frame
    else:
        raise RecordingError(f"pcap link type {linktype} is not one rtpengine writes")
    if not ip:
        return None
    version = ip[0] >> 4
    if version == 4:
        header = (ip[0] & 0x0F) * 4
        if len(ip) < header + 8 or ip[9] != 17:
            return None
        address = ".".join(str(byte) for byte in ip[12:16])
    elif version == 6:
        header = 40
        if len(ip) < header + 8 or ip[6] != 17:
            return None
        address = ip[8:24].hex()
    else:
        return None
    source_port = struct.unpack_from("!H", ip, header)[0]
    return (address, source_port), ip[header + 8 :]


def _rtp(data: bytes, at: float):
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    payload_type = data[1] & 0x7F
    if 72 <= payload_type <= 76:  # RTCP multiplexed on the RTP port (200..204)
        return None
    sequence, timestamp, ssrc = struct.unpack_from("!HII", data, 2)
    start = 12 + 4 * (data[0] & 0x0F)
    if data[0] & 0x10:  # header extension
        if len(data) < start + 4:
            return None
        start += 4 + 4 * struct.unpack_from("!H", data, start + 2)[0]
    end = len(data)
    if data[0] & 0x20 and end > start:  # padding
        end -= data[-1]
    if end <= start:
        return None
    return ssrc, Packet(at, sequence, timestamp, payload_type, data[start:end])


# Codecs --------------------------------------------------------------------------------------

STATIC_PAYLOAD_TYPES = {0: ("PCMU", 8000), 8: ("PCMA", 8000), 9: ("G722", 8000), 13: ("CN", 8000)}
RTPMAP = re.compile(r"^a=rtpmap:(\d+) ([\w.-]+)/(\d+)", re.MULTILINE)


def payload_types(sdp: str) -> dict[int, tuple[str, int]]:
    """{payload type: (codec name in capitals, RTP clock rate)} from the SDP rtpengine wrote
    into the metadata, with the static ones."""
    found = dict(STATIC_PAYLOAD_TYPES)
    for number, name, rate in RTPMAP.findall(sdp):
        found.setdefault(int(number), (name.upper(), int(rate)))
    return found


def _ulaw(byte: int) -> int:
    byte = ~byte & 0xFF
    magnitude = ((byte & 0x0F) << 3) + 0x84
    magnitude <<= (byte & 0x70) >> 4
    return (0x84 - magnitude) if byte & 0x80 else (magnitude - 0x84)


def _alaw(byte: int) -> int:
    byte ^= 0x55
    magnitude = (byte & 0x0F) << 4
    segment = (byte & 0x70) >> 4
    if segment == 0:
        magnitude += 8
    elif segment == 1:
        magnitude += 0x108
    else:
        magnitude = (magnitude + 0x108) << (segment - 1)
    return magnitude if byte & 0x80 else -magnitude


# Each byte's 16-bit sample, as two little-endian bytes: a payload decodes with one join.
_ULAW = [struct.pack("<h", _ulaw(byte)) for byte in range(256)]
_ALAW = [struct.pack("<h", _alaw(byte)) for byte in range(256)]


class _G711:
    rate = 8000

    def __init__(self, table):
        self.table = table

    def decode(self, payload: bytes) -> array:
        return array("h", b"".join([self.table[byte] for byte in payload]))


def _library(name: str):
    found = ctypes.util.find_library(name)
    if found is None:
        raise RecordingError(f"lib{name} is not installed")
    return ctypes.CDLL(found)


class _G722:
    """G.722 (16 kHz audio, an 8 kHz RTP clock) through spandsp."""

    rate = 16000

    def __init__(self):
        self.lib = _library("spandsp")
        self.lib.g722_decode_init.restype = ctypes.c_void_p
        self.lib.g722_decode_init.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        self.lib.g722_decode.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int16),
            ctypes.c_char_p,
            ctypes.c_int,
        ]
        self.lib.g722_decode_free.argtypes = [ctypes.c_void_p]
        self.state = self.lib.g722_decode_init(None, 64000, 0)

    def decode(self, payload: bytes) -> array:
        out = (ctypes.c_int16 * (2 * len(payload)))()
        count = self.lib.g722_decode(self.state, out, payload, len(payload))
        return array("h", bytes(out)[: 2 * max(0, count)])

    def __del__(self):
        if getattr(self, "state", None):
            self.lib.g722_decode_free(self.state)


class _Opus:
    """Opus (a 48 kHz RTP clock) through libopus, decoded at 16 kHz."""

    rate = 16000

    def __init__(self):
        self.lib = _library("opus")
        self.lib.opus_decoder_create.restype = ctypes.c_void_p
        self.lib.opus_decoder_create.argtypes = [
            ctypes.c_int32,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_int),
        ]
        self.lib.opus_decode.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int32,
            ctypes.POINTER(ctypes.c_int16),
            ctypes.c_int,
            ctypes.c_int,
        ]
        self.lib.opus_decoder_destroy.argtypes = [ctypes.c_void_p]
        error = ctypes.c_int()
        self.state = self.lib.opus_decoder_create(self.rate, 1, ctypes.byref(error))
        if not self.state:
            raise RecordingError(f"libopus could not make a decoder ({error.value})")

    def decode(self, payload: bytes) -> array:
        most = self.rate * 120 // 1000
        out = (ctypes.c_int16 * most)()
        count = self.lib.opus_decode(self.state, payload, len(payload), out, most, 0)
        return array("h", bytes(out)[: 2 * max(0, count)])

    def __del__(self):
        if getattr(self, "state", None):
            self.lib.opus_decoder_destroy(self.state)


def _decoder(codec: str):
    if codec == "PCMU":
        return _G711(_ULAW)
    if codec == "PCMA":
        return _G711(_ALAW)
    if codec == "G722":
        return _G722()
    if codec == "OPUS":
        return _Opus()
    return None


# Decoding and mixing -------------------------------------------------------------------------

# A stream whose RTP timestamps drift this far from the packets' arrival is placed by its
# arrival again (a party that restarted its timestamps, or a gap such as a hold).
RESYNC_SECONDS = 0.5


@dataclass
class Decoded:
    rate: int
    samples: array  # 16-bit mono
    unknown_codecs: set


def decode(raws: list[RawRecording]) -> Decoded:
    """The recordings' audio: every party's stream decoded, placed by time and mixed."""
    streams = []  # (start time of its first packet, stream, codecs)
    unknown = set()
    for raw in raws:
        if not raw.pcap.exists():
            raise RecordingError(f"{raw.pcap}: missing (rtpengine's recording of the call)")
        types = payload_types(raw.sdp)
        for stream in read_pcap(raw.pcap):
            streams.append((stream, types))
    if not streams:
        return Decoded(8000, array("h"), unknown)
    start = min(stream.packets[0].at for stream, _ in streams)
    pieces = []  # (offset in seconds, rate, samples)
    for stream, types in streams:
        pieces.extend(_decode_stream(stream, types, start, unknown))
    rate = max((piece_rate for _, piece_rate, _ in pieces), default=8000)
    return Decoded(rate, _mix(pieces, rate), unknown)


def _decode_stream(stream: Stream, types: dict, start: float, unknown: set):
    decoders = {}
    anchor = None  # (arrival time, RTP timestamp, clock rate) the packets are placed from
    pieces = []
    packets = sorted(stream.packets, key=lambda packet: packet.at)
    seen = set()
    for packet in packets:
        codec, clock = types.get(packet.payload_type, (f"PT {packet.payload_type}", 8000))
        if codec in ("TELEPHONE-EVENT", "CN", "COMFORT-NOISE"):
            continue
        if codec not in decoders:
            decoders[codec] = _decoder(codec)
        decoder = decoders[codec]
        if decoder is None:
            unknown.add(codec)
            continue
        if (packet.sequence, packet.timestamp) in seen:
            continue  # a retransmission or a duplicate
        seen.add((packet.sequence, packet.timestamp))
        if anchor is None or anchor[2] != clock:
            anchor = (packet.at, packet.timestamp, clock)
        elapsed = ((packet.timestamp - anchor[1]) & 0xFFFFFFFF) / clock
        if elapsed > 2**31 / clock:
            elapsed -= 2**32 / clock  # a packet from before the anchor (reordered)
        if abs(anchor[0] + elapsed - packet.at) > RESYNC_SECONDS:
            anchor = (packet.at, packet.timestamp, clock)
            elapsed = 0.0
        try:
            samples = decoder.decode(packet.payload)
        except (OSError, ValueError) as error:
            raise RecordingError(f"{codec}: {error}") from error
        pieces.append((anchor[0] + elapsed - start, decoder.rate, samples))
    return pieces


def _mix(pieces, rate: int) -> array:
    """Adds the pieces into one track at `rate` (8 kHz pieces doubled for 16 kHz), clipped to
    16 bits."""
    end = 0
    placed = []
    for offset, piece_rate, samples in pieces:
        if piece_rate != rate:
            samples = _upsample(samples, rate // piece_rate)
        position = max(0, round(offset * rate))
        placed.append((position, samples))
        end = max(end, position + len(samples))
    total = [0] * end
    for position, samples in placed:
        for index, value in enumerate(samples, position):
            total[index] += value
    return array("h", [32767 if v > 32767 else (-32768 if v < -32768 else v) for v in total])


def _upsample(samples: array, factor: int) -> array:
    out = array("h", bytes(2 * factor * len(samples)))
    for step in range(factor):
        out[step::factor] = samples
    return out


# Writing and reading compressed audio (libsndfile) ------------------------------------------

SFM_READ = 0x10
SFM_WRITE = 0x20
SF_FORMAT_WAV = 0x010000
SF_FORMAT_PCM_16 = 0x0002
SF_FORMAT_MPEG = 0x230000
SF_FORMAT_MPEG_LAYER_III = 0x0082
SFC_SET_COMPRESSION_LEVEL = 0x1301
SFC_SET_BITRATE_MODE = 0x1305
SF_BITRATE_MODE_CONSTANT = 0


class _SfInfo(ctypes.Structure):
    _fields_ = [
        ("frames", ctypes.c_int64),
        ("samplerate", ctypes.c_int),
        ("channels", ctypes.c_int),
        ("format", ctypes.c_int),
        ("sections", ctypes.c_int),
        ("seekable", ctypes.c_int),
    ]


def _sndfile():
    lib = _library("sndfile")
    lib.sf_open.restype = ctypes.c_void_p
    lib.sf_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(_SfInfo)]
    lib.sf_strerror.restype = ctypes.c_char_p
    lib.sf_strerror.argtypes = [ctypes.c_void_p]
    lib.sf_command.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    lib.sf_writef_short.restype = ctypes.c_int64
    lib.sf_writef_short.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int64]
    lib.sf_readf_short.restype = ctypes.c_int64
    lib.sf_readf_short.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    lib.sf_close.argtypes = [ctypes.c_void_p]
    return lib


def write_mp3(path: Path, samples: array, rate: int) -> None:
    """Writes 16-bit mono samples as an MP3 file (constant bitrate)."""
    lib = _sndfile()
    info = _SfInfo(samplerate=rate, channels=1, format=SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III)
    handle = lib.sf_open(str(path).encode(), SFM_WRITE, ctypes.byref(info))
    if not handle:
        raise RecordingError(f"libsndfile cannot write MP3: {lib.sf_strerror(None).decode()}")
    try:
        mode = ctypes.c_int(SF_BITRATE_MODE_CONSTANT)
        lib.sf_command(handle, SFC_SET_BITRATE_MODE, ctypes.byref(mode), ctypes.sizeof(mode))
        level = ctypes.c_double(MP3_COMPRESSION_LEVELS.get(rate, 0.8))
        lib.sf_command(handle, SFC_SET_COMPRESSION_LEVEL, ctypes.byref(level), 8)
        if samples:
            written = lib.sf_writef_short(handle, samples.tobytes(), len(samples))
            if written != len(samples):
                raise RecordingError(f"libsndfile wrote {written} of {len(samples)} samples")
    finally:
        lib.sf_close(handle)


def read_audio(path: Path) -> tuple[array, int]:
    """(16-bit samples of the first channel, sample rate) of any file libsndfile reads (MP3,
    WAV): for checking what was stored."""
    lib = _sndfile()
    info = _SfInfo()
    handle = lib.sf_open(str(path).encode(), SFM_READ, ctypes.byref(info))
    if not handle:
        raise RecordingError(f"{path}: {lib.sf_strerror(None).decode()}")
    try:
        chunk = 8192
        buffer = (ctypes.c_int16 * (chunk * info.channels))()
        out = array("h")
        while True:
            count = lib.sf_readf_short(handle, buffer, chunk)
            if count <= 0:
                break
            frames = array("h", bytes(buffer)[: 2 * count * info.channels])
            out.extend(frames[:: info.channels])
    finally:
        lib.sf_close(handle)
    return out, info.samplerate


def write_wav(path: Path, samples: array, rate: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())


# A call's recording, converted ---------------------------------------------------------------


@dataclass
class Converted:
    name: str  # relative to stored_dir()
    size: int
    seconds: float
    unknown_codecs: set


def store_name(call_pk: int, token: str, when) -> str:
    return f"{when:%Y/%m}/call-{call_pk}-{token}{SUFFIX}"


def convert(raws: list[RawRecording], name: str) -> Converted:
    """Decodes rtpengine's recordings of one call into stored_dir()/name (MP3). The raw files
    are left where they are (the caller removes them once the recording is saved)."""
    decoded = decode(raws)
    if not decoded.samples:
        raise NoAudio(
            "no audio in rtpengine's recording"
            + (
                f" that could be decoded ({', '.join(sorted(decoded.unknown_codecs))})"
                if decoded.unknown_codecs
                else ""
            )
        )
    return _store(decoded, name)


def convert_wav(data: bytes, name: str) -> Converted:
    """A WAV file's audio (16-bit PCM, such as the media service records a caller's message
    in) stored as stored_dir()/name (MP3, its first channel)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            if wav.getsampwidth() != 2 or wav.getcomptype() != "NONE":
                raise RecordingError("a WAV file of 16-bit PCM samples is expected")
            rate, channels = wav.getframerate(), wav.getnchannels()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise RecordingError(f"not a WAV file: {error}") from error
    if rate not in MP3_COMPRESSION_LEVELS:
        raise RecordingError(f"{rate} Hz: 8000 or 16000 expected")
    samples = array("h", frames[: len(frames) // 2 * 2])[::channels]
    if not samples:
        raise NoAudio("the WAV file holds no audio")
    return _store(Decoded(rate, samples, set()), name)


def _store(decoded: Decoded, name: str) -> Converted:
    path = stored_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        write_mp3(partial, decoded.samples, decoded.rate)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return Converted(
        name=name,
        size=path.stat().st_size,
        seconds=len(decoded.samples) / decoded.rate,
        unknown_codecs=decoded.unknown_codecs,
    )
