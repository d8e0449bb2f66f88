"""A caller's message after the longest wait: the media service hands it over as a WAV file,
and it is kept as the call's recording (compressed, as long as recordings, played on the call's
page) with the call's outcome "To voicemail" instead of a callback."""

import io
import json
import math
import struct
import wave
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from django.urls import reverse

from calls import recordings
from calls.models import Call, Callback, CallRecording, Outcome, RecordingAccess
from calls.phone.audio import heard
from calls.services import (
    call_event_record,
    call_recording_save,
    call_recordings_delete_expired,
    call_route,
)
from calls.wire import VOICEMAIL_MAX_BYTES
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
            call_id=CALL_ID,
            from_number="+4930123456",
            to_number="311",
            source="127.0.0.1",
            attempt=1,
        )
    assert answer["action"] == "wait"
    return Call.objects.get(call_id=CALL_ID)


def hand_over(client, audio, call_id=CALL_ID, at="1796150000.5", secret=True):
    query = urlencode({"call_id": call_id, "at": at})
    return client.post(
        f"{reverse('calls:phone_voicemail')}?{query}",
        data=audio,
        content_type="audio/wav",
        **(SECRET if secret else {}),
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


def test_a_supervisor_plays_the_message_on_the_calls_page_and_is_kept_on_record(
    client, supervisor, waiting_call, phone_clock
):
    hang_up(waiting_call, phone_clock)
    assert hand_over(client, wav_of_tone()).status_code == 204
    client.force_login(supervisor)

    page = client.get(reverse("calls:call_recording", args=[waiting_call.pk]))
    audio = client.get(reverse("calls:call_recording_audio", args=[waiting_call.pk]))

    assert "The caller’s message" in page.text
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/mpeg"
    access = RecordingAccess.objects.get()
    assert (access.call, access.user, access.use) == (waiting_call, supervisor, "play")


def test_the_message_is_deleted_with_the_recordings_kept_long_enough(
    client, waiting_call, phone_clock
):
    assert hand_over(client, wav_of_tone()).status_code == 204
    recording = CallRecording.objects.get(call=waiting_call)
    path = recordings.stored_path(recording.file_name)

    phone_clock.tick(timedelta(days=30, seconds=1).total_seconds())
    assert call_recordings_delete_expired() == 1

    assert not path.exists()
    assert not CallRecording.objects.exists()


def test_the_message_takes_the_place_of_rtpengines_recording_of_the_call(
    client, settings, waiting_call, phone_clock, django_capture_on_commit_callbacks
):
    hang_up(waiting_call, phone_clock)
    raw = settings.CALL_RECORDINGS_DIR
    write_raw_recording(raw, CALL_ID, [(31000, tone_payloads(880, 1.0), 0.0)])
    earlier = call_recording_save(call=waiting_call)
    earlier_path = recordings.stored_path(earlier.file_name)
    write_raw_recording(raw, CALL_ID, [(31000, tone_payloads(880, 1.0), 0.0)])

    with django_capture_on_commit_callbacks(execute=True):
        assert hand_over(client, wav_of_tone(660)).status_code == 204

    recording = CallRecording.objects.get(call=waiting_call)
    assert recording.pk != earlier.pk and not earlier_path.exists()
    assert recording.seconds == 2
    # rtpengine's files of the call go: they would only be the same call again.
    assert recordings.finished_raw_recordings(CALL_ID) == []
    assert call_recording_save(call=waiting_call) == recording


@pytest.mark.parametrize(
    ("query", "audio", "status", "parameter"),
    [
        ({"call_id": "unknown@127.0.0.1"}, wav_of_tone(), 400, "call_id"),
        ({"at": "yesterday"}, wav_of_tone(), 400, "at"),
        ({"at": "1e300"}, wav_of_tone(), 400, "at"),
        ({}, b"RIFF not really", 400, "audio"),
        ({}, wav_of_tone(seconds=0), 400, "audio"),
        ({}, wav_of_tone(rate=11025), 400, "audio"),
    ],
)
def test_what_is_not_a_callers_message_is_refused_with_the_parameter_named(
    client, waiting_call, query, audio, status, parameter
):
    response = hand_over(client, audio, **query)

    assert response.status_code == status
    assert response.json()["parameter"] == parameter
    assert not CallRecording.objects.exists()
    assert Call.objects.get(pk=waiting_call.pk).outcome == ""


def test_a_message_needs_the_phone_systems_secret(client, waiting_call):
    response = hand_over(client, wav_of_tone(), secret=False)

    assert response.status_code == 403
    assert not CallRecording.objects.exists()


def test_a_message_too_long_is_refused_before_it_is_read(client, waiting_call):
    response = hand_over(client, b"\0" * (VOICEMAIL_MAX_BYTES + 1))

    assert response.status_code == 413


def test_nobody_reports_a_message_as_an_event(client, waiting_call, phone_clock):
    response = client.post(
        reverse("calls:phone_events"),
        data=json.dumps(
            {"call_id": CALL_ID, "event": "voicemail", "at": phone_clock.now.timestamp()}
        ),
        content_type="application/json",
        **SECRET,
    )

    assert response.status_code == 400
    assert response.json()["parameter"] == "event"
