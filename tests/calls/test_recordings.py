"""Call recordings: rtpengine's raw recording of a call turned into one compressed file with both
parties (calls.recordings), on recordings written the way rtpengine writes them."""

import ctypes
import ctypes.util
from array import array

import pytest

from calls import recordings
from calls.phone.audio import heard, tone_levels
from tests.calls.recording_files import tone_payloads, write_raw_recording

CALL_ID = "a84b4c76e66710@pc33.example.com"


@pytest.fixture
def raw_dir(settings, tmp_path):
    settings.CALL_RECORDINGS_DIR = tmp_path / "recordings"
    return settings.CALL_RECORDINGS_DIR


def two_tones(raw_dir, call_id=CALL_ID, seconds=2.0):
    """A call where the caller sends 440 Hz and the agent 660 Hz, the agent from 0.5 s on."""
    return write_raw_recording(
        raw_dir,
        call_id,
        [(31000, tone_payloads(440, seconds), 0.0), (32000, tone_payloads(660, seconds), 0.5)],
    )


def test_rtpengines_files_are_found_by_the_escaped_call_id(raw_dir):
    metadata, pcap = two_tones(raw_dir)
    two_tones(raw_dir, call_id="another-call")
    found = recordings.finished_raw_recordings(CALL_ID)
    assert [(raw.metadata, raw.pcap) for raw in found] == [(metadata, pcap)]
    assert "a84b4c76e66710%40pc33.example.com" in metadata.name
    assert recordings.finished_raw_recordings("nobody") == []
    assert not recordings.recording_in_progress(CALL_ID)


def test_a_recording_being_written_is_in_progress(raw_dir):
    (raw_dir / "tmp").mkdir(parents=True)
    (raw_dir / "tmp" / f"rtpengine-meta-{recordings.escaped_call_id(CALL_ID)}-00.tmp").touch()
    assert recordings.recording_in_progress(CALL_ID)
    assert recordings.finished_raw_recordings(CALL_ID) == []


def test_both_parties_are_mixed_into_one_compressed_file(raw_dir, tmp_path):
    two_tones(raw_dir)
    raws = recordings.finished_raw_recordings(CALL_ID)
    converted = recordings.convert(raws, "2027/01/call-1-abc.mp3")
    path = recordings.stored_path(converted.name)
    head = path.read_bytes()[:3]
    # An ID3 tag or an MPEG audio frame's sync bits.
    assert head == b"ID3" or (head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    assert converted.size == path.stat().st_size
    assert converted.seconds == pytest.approx(2.5, abs=0.05)
    # 16 kbit/s: 2.5 s take about 5 kB (as WAV: 40 kB).
    assert converted.size < 8_000
    samples, rate = recordings.read_audio(path)
    wav = tmp_path / "decoded.wav"
    recordings.write_wav(wav, samples, rate)
    # The caller alone for half a second, then both.
    assert heard(wav, skip_seconds=0.05, until=0.45) == {440}
    levels = tone_levels(wav, skip_seconds=0.7)
    assert levels[440] > 0.3 and levels[660] > 0.3 and levels[880] < 0.01
    assert raws[0].pcap.exists(), "the raw files stay until the recording is saved"


def test_telephone_events_and_rtcp_are_not_audio(raw_dir):
    metadata, pcap = two_tones(raw_dir, seconds=0.5)
    streams = recordings.read_pcap(pcap)
    assert sorted(len(stream.packets) for stream in streams) == [25, 25]
    assert recordings.payload_types(metadata.read_text())[101] == ("TELEPHONE-EVENT", 8000)


def test_a_missing_or_broken_pcap_is_a_recording_error(raw_dir):
    metadata, pcap = two_tones(raw_dir, seconds=0.2)
    pcap.write_bytes(b"not a pcap at all, but long enough")
    with pytest.raises(recordings.RecordingError):
        recordings.decode(recordings.finished_raw_recordings(CALL_ID))
    pcap.unlink()
    with pytest.raises(recordings.RecordingError, match="missing"):
        recordings.decode(recordings.finished_raw_recordings(CALL_ID))


def test_a_stored_name_never_leaves_the_folder(raw_dir):
    with pytest.raises(recordings.RecordingError):
        recordings.stored_path("../pcaps/x.pcap")
    assert recordings.stored_path("2027/01/call-1-x.mp3").name == "call-1-x.mp3"


def test_g711_tables_decode_known_values():
    assert recordings._ulaw(0xFF) == 0 and recordings._ulaw(0x00) == -32124
    assert recordings._alaw(0xD5) == 8 and recordings._alaw(0x55) == -8


def _wideband_tone(frequency, seconds, rate=16000, amplitude=0.3):
    import math

    return array(
        "h",
        [
            int(amplitude * 32767 * math.sin(2 * math.pi * frequency * i / rate))
            for i in range(int(seconds * rate))
        ],
    )


def g722_payloads(frequency, seconds):
    """20 ms packets of G.722 (16 kHz audio) through spandsp's encoder."""
    lib = ctypes.CDLL(ctypes.util.find_library("spandsp"))
    lib.g722_encode_init.restype = ctypes.c_void_p
    lib.g722_encode_init.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    lib.g722_encode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
    state = lib.g722_encode_init(None, 64000, 0)
    samples = _wideband_tone(frequency, seconds)
    payloads = []
    for start in range(0, len(samples) - 319, 320):
        out = ctypes.create_string_buffer(160)
        count = lib.g722_encode(state, out, samples[start : start + 320].tobytes(), 320)
        payloads.append(out.raw[:count])
    return payloads


def opus_payloads(frequency, seconds):
    """20 ms Opus packets (16 kHz audio) through libopus's encoder."""
    lib = ctypes.CDLL(ctypes.util.find_library("opus"))
    lib.opus_encoder_create.restype = ctypes.c_void_p
    lib.opus_encoder_create.argtypes = [
        ctypes.c_int32,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_int),
    ]
    lib.opus_encode.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int32,
    ]
    error = ctypes.c_int()
    encoder = lib.opus_encoder_create(16000, 1, 2048, ctypes.byref(error))  # VoIP
    samples = _wideband_tone(frequency, seconds)
    payloads = []
    for start in range(0, len(samples) - 319, 320):
        out = ctypes.create_string_buffer(4000)
        count = lib.opus_encode(encoder, samples[start : start + 320].tobytes(), 320, out, 4000)
        payloads.append(out.raw[:count])
    return payloads


def test_wideband_parties_g722_and_opus_are_decoded_too(raw_dir, tmp_path):
    """A browser speaking Opus (dynamic payload type, named in the SDP) with a phone speaking
    G.722: both decoded, the recording at 16 kHz."""
    sdp = (
        "v=0\r\nm=audio 4000 RTP/AVP 9 111\r\na=rtpmap:9 G722/8000\r\na=rtpmap:111 opus/48000/2\r\n"
    )
    write_raw_recording(
        raw_dir,
        CALL_ID,
        [
            (31000, g722_payloads(440, 2.0), 0.0, 9, 160),
            (32000, opus_payloads(660, 2.0), 0.0, 111, 960),
        ],
        sdp=sdp,
    )
    decoded = recordings.decode(recordings.finished_raw_recordings(CALL_ID))
    assert decoded.rate == 16000 and not decoded.unknown_codecs
    assert len(decoded.samples) / decoded.rate == pytest.approx(2.0, abs=0.05)
    wav = tmp_path / "wideband.wav"
    recordings.write_wav(wav, decoded.samples, decoded.rate)
    levels = tone_levels(wav, skip_seconds=0.2)
    assert levels[440] > 0.3 and levels[660] > 0.3 and levels[880] < 0.01, levels


def test_a_codec_without_a_decoder_is_left_out_and_said(raw_dir):
    sdp = "v=0\r\nm=audio 4000 RTP/AVP 0 96\r\na=rtpmap:96 AMR/8000\r\n"
    write_raw_recording(
        raw_dir,
        CALL_ID,
        [(31000, tone_payloads(440, 0.5), 0.0), (32000, [b"\x00" * 32] * 25, 0.0, 96, 160)],
        sdp=sdp,
    )
    decoded = recordings.decode(recordings.finished_raw_recordings(CALL_ID))
    assert decoded.unknown_codecs == {"AMR"}
    assert len(decoded.samples) == 4000
