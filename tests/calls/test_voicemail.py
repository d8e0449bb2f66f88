"""A caller's message after the longest wait: the media service hands it over as a WAV file,
and it is kept as the call's recording (compressed, as long as recordings, played on the call's
page) with the call's outcome "To voicemail" instead of a callback."""

import io
import math
import struct
import wave
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from calls import recordings
from calls.models import Call, Callback, CallRecording, Outcome
from calls.phone.audio import heard
from calls.services import (
    call_event_record,
    call_recording_save,
    call_recordings_delete_expired,
    call_route,
)
from tests.calls.recording_files import tone_payloads, write_raw_recording

pytestmark = pytest.mark.django_db

CALL_ID = "waited-too-long@127.0.0.1"
SECRET = {"HTTP_X_PHONE_SECRET": "test-phone-secret"}


@pytest.fixture(autouse=True)
def phone_settings(settings, tmp_path):
    settings.PHONE_SECRET = "test-phone-secret"
    settings.CALL_RECORDINGS_DIR = tmp_path / "recordings"
    settings.CALL_RECORDING_DAYS = 30


def wav_of_tone(frequency=660, seconds=2.0, rate=8000):
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * i / rate)))
                for i in range(int(seconds * rate))
            )
        )
    return out.getvalue()


@pytest.fixture
def waiting_call(city_line, local_trunk, phone_clock):
    """A caller of the City line who waited (nobody free) and was then let go."""
    with override_settings(DEBUG=True):
        answer = call_route(
            call_id=CALL_ID, from_number="+4930123456", to_number="311", source="127.0.0.1", attempt=1
        )
    assert answer["action"] == "wait"
    return Call.objects.get(call_id=CALL_ID)


def hand_over(client, audio, call_id=CALL_ID, at=None, **headers):
    query = {"call_id": call_id, "at": "1796150000.5" if at is None else at}
    return client.post(
        reverse("calls:phone_voicemail") + "?" + "&".join(f"{k}={v}" for k, v in query.items()),
        data=audio,
        content_type="audio/wav",
        **(SECRET if headers.get("secret", True) else {}),
    )


def hang_up(call, phone_clock, seconds=40):
    call_event_record(
        call_id=call.call_id,
        event="hangup",
        at=phone_clock.now + timedelta(seconds=seconds),
        from_number=call.from_number,
        to_number="311",
        queue_name="City line",
    )


def test_a_message_becomes_the_calls_recording_and_its_outcome_to_voicemail(
    client, waiting_call, phone_clock, tmp_path
):
    hang_up(waiting_call, phone_clock)
    assert Callback.objects.filter(call=waiting_call).exists()

    response = hand_over(client, wav_of_tone(660))

    assert response.status_code == 204, response.content
    call = Call.objects.get(pk=waiting_call.pk)
    assert call.outcome == Outcome.VOICEMAIL
    # The message is the callback: nobody is asked to call back too.
    assert not Callback.objects.filter(call=call).exists()
    recording = CallRecording.objects.get(call=call)
    assert recording.content_type == "audio/mpeg"
    assert recording.seconds == 2
    assert recording.delete_after == phone_clock.now + timedelta(days=30)
    samples, rate = recordings.read_audio(recordings.stored_path(recording.file_name))
    wav = tmp_path / "message.wav"
    recordings.write_wav(wav, samples, rate)
    assert heard(wav, skip_seconds=0.2) == {660}
