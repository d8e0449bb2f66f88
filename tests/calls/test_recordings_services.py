"""A call's recording kept, deleted after the retention period by the task worker's task (on a
clock the test sets), and every playback and download on record."""

import logging
import os
from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from callcenter import roles
from calls import recordings
from calls.models import Call, CallRecording, RecordingAccess
from calls.services import (
    call_event_record,
    call_recording_save,
    call_recordings_delete_expired,
    recording_access_record,
)
from calls.tasks import delete_expired_recordings, store_recording
from tests.calls.recording_files import tone_payloads, write_raw_recording
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

CALL_ID = "recorded-call@127.0.0.1"


@pytest.fixture
def raw_dir(settings, tmp_path):
    settings.CALL_RECORDINGS_DIR = tmp_path / "recordings"
    settings.CALL_RECORDING_DAYS = 30
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return settings.CALL_RECORDINGS_DIR


def ended_call(city_line, phone_clock, call_id=CALL_ID):
    for event, seconds in (("offered", 0), ("answered", 1), ("hangup", 3)):
        call_event_record(
            call_id=call_id,
            event=event,
            at=phone_clock.now + timedelta(seconds=seconds),
            from_number="+4930123456",
            to_number="311",
            queue_name=city_line.name,
        )
    return Call.objects.get(call_id=call_id)


def recorded(raw_dir, call_id=CALL_ID):
    return write_raw_recording(
        raw_dir,
        call_id,
        [(31000, tone_payloads(440, 1.0), 0.0), (32000, tone_payloads(660, 1.0), 0.0)],
    )


def queued(task_function):
    return [
        result
        for result in DBTaskResult.objects.order_by("enqueued_at")
        if result.task_path.endswith(task_function.name)
    ]


def test_a_recorded_call_is_kept_compressed_for_the_configured_days(
    raw_dir, city_line, phone_clock, django_capture_on_commit_callbacks
):
    call = ended_call(city_line, phone_clock)
    metadata, pcap = recorded(raw_dir)
    with django_capture_on_commit_callbacks(execute=True):
        recording = call_recording_save(call=call)
    assert recording.call == call
    assert recording.content_type == "audio/mpeg"
    assert recording.seconds == 1
    assert recording.delete_after == phone_clock.now + timedelta(days=30)
    path = recordings.stored_path(recording.file_name)
    assert path.stat().st_size == recording.size < 4_000
    assert not metadata.exists() and not pcap.exists(), "rtpengine's raw files are removed"
    assert call_recording_save(call=call) == recording, "the same recording when asked again"


def test_no_recording_while_rtpengine_has_left_none(raw_dir, city_line, phone_clock):
    call = ended_call(city_line, phone_clock)
    assert call_recording_save(call=call) is None
    assert not CallRecording.objects.exists()


def test_a_recording_without_audio_is_dropped(raw_dir, city_line, phone_clock):
    call = ended_call(city_line, phone_clock)
    metadata, pcap = write_raw_recording(raw_dir, CALL_ID, [])
    with pytest.raises(recordings.NoAudio):
        call_recording_save(call=call)
    assert not metadata.exists() and not pcap.exists()
    assert not CallRecording.objects.exists()


def test_the_end_of_a_recorded_call_asks_the_worker_for_its_recording(
    raw_dir, city_line, phone_clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ended_call(city_line, phone_clock)
    (task,) = queued(store_recording)
    assert task.args_kwargs["args"] == [CALL_ID]
    assert task.run_after == phone_clock.now + timedelta(seconds=2)


def test_a_queue_that_does_not_record_asks_for_nothing(
    raw_dir, city_line, phone_clock, django_capture_on_commit_callbacks
):
    city_line.record = False
    city_line.save()
    with django_capture_on_commit_callbacks(execute=True):
        ended_call(city_line, phone_clock)
    assert not queued(store_recording)


def test_the_worker_looks_again_until_rtpengine_has_finished(raw_dir, city_line, phone_clock):
    ended_call(city_line, phone_clock)
    assert store_recording.call(CALL_ID) == "not yet"
    (again,) = queued(store_recording)
    assert again.args_kwargs["args"] == [CALL_ID, 2]
    recorded(raw_dir)
    assert store_recording.call(CALL_ID, 2) == "stored"
    recording = CallRecording.objects.get()
    (deletion,) = queued(delete_expired_recordings)
    assert deletion.run_after == recording.delete_after


def test_the_task_deletes_recordings_after_the_retention_period(
    raw_dir, city_line, phone_clock, caplog
):
    call = ended_call(city_line, phone_clock)
    recorded(raw_dir)
    recording = call_recording_save(call=call)
    path = recordings.stored_path(recording.file_name)
    agent = user_with_role(roles.AGENT, username="ada")
    recording_access_record(call=call, user=agent, use="play")

    phone_clock.tick(30 * 86400 - 1)
    assert delete_expired_recordings.call() == 0
    assert path.exists() and CallRecording.objects.filter(pk=recording.pk).exists()

    phone_clock.tick(1)
    with caplog.at_level(logging.INFO, logger="calls.services"):
        assert delete_expired_recordings.call() == 1
    assert not path.exists()
    assert not CallRecording.objects.exists()
    assert f"recording of call {CALL_ID} deleted" in caplog.text
    assert RecordingAccess.objects.filter(call=call).count() == 1, "who played it stays"


def test_a_recording_whose_file_is_gone_is_deleted_all_the_same(raw_dir, city_line, phone_clock):
    call = ended_call(city_line, phone_clock)
    recorded(raw_dir)
    recording = call_recording_save(call=call)
    recordings.stored_path(recording.file_name).unlink()
    phone_clock.tick(31 * 86400)
    assert call_recordings_delete_expired() == 1


def test_every_playback_and_download_is_on_record(raw_dir, city_line, phone_clock, caplog):
    call = ended_call(city_line, phone_clock)
    agent = user_with_role(roles.AGENT, username="ada")
    with caplog.at_level(logging.INFO, logger="calls.services"):
        recording_access_record(call=call, user=agent, use="play")
        phone_clock.tick(60)
        recording_access_record(call=call, user=agent, use="download")
    assert [(a.user, a.use, a.at) for a in RecordingAccess.objects.order_by("at")] == [
        (agent, "play", phone_clock.now - timedelta(seconds=60)),
        (agent, "download", phone_clock.now),
    ]
    assert f"recording of call {CALL_ID}: download by ada" in caplog.text


def test_raw_recordings_never_converted_go_after_the_retention_period_too(
    raw_dir, city_line, phone_clock
):
    metadata, pcap = recorded(raw_dir, call_id="unknown-to-the-application")
    old = (phone_clock.now - timedelta(days=30, seconds=1)).timestamp()
    os.utime(metadata, (old, old))
    os.utime(pcap, (old, old))
    fresh_metadata, fresh_pcap = recorded(raw_dir, call_id="just-ended")
    os.utime(fresh_metadata, (phone_clock.unix(), phone_clock.unix()))
    os.utime(fresh_pcap, (phone_clock.unix(), phone_clock.unix()))
    assert delete_expired_recordings.call() == 0
    assert not metadata.exists() and not pcap.exists()
    assert fresh_metadata.exists() and fresh_pcap.exists()


def test_a_queue_may_keep_its_recordings_for_its_own_number_of_days(
    raw_dir, city_line, phone_clock
):
    city_line.recording_days = 7
    city_line.save()
    call = ended_call(city_line, phone_clock)
    recorded(raw_dir)
    recording = call_recording_save(call=call)
    assert recording.delete_after == phone_clock.now + timedelta(days=7)
    phone_clock.tick(7 * 86400)
    assert delete_expired_recordings.call() == 1


def test_the_queue_form_offers_the_queues_own_number_of_days(city_line):
    from calls.forms import QueueForm

    form = QueueForm(instance=city_line)
    assert "recording_days" in form.fields
    assert not form.fields["recording_days"].required


def test_a_recording_whose_task_was_lost_is_picked_up_by_the_next_one(
    raw_dir, city_line, phone_clock
):
    """The end of the first call was never reported: when the next call's recording is stored,
    the first one's, finished long ago, is asked for too (once, without looking again)."""
    ended_call(city_line, phone_clock, call_id="lost@127.0.0.1")
    lost_metadata, _ = recorded(raw_dir, call_id="lost@127.0.0.1")
    long_ago = phone_clock.unix(-600)
    os.utime(lost_metadata, (long_ago, long_ago))
    ended_call(city_line, phone_clock)
    recorded(raw_dir)
    assert store_recording.call(CALL_ID) == "stored"
    (leftover,) = queued(store_recording)
    assert leftover.args_kwargs["args"] == ["lost@127.0.0.1", 24]
    assert store_recording.call("lost@127.0.0.1", 24) == "stored"


def test_an_unreadable_recording_is_set_aside_not_tried_again(raw_dir, city_line, phone_clock):
    ended_call(city_line, phone_clock)
    metadata, pcap = recorded(raw_dir)
    pcap.write_bytes(b"garbage, not a pcap file at all")
    assert store_recording.call(CALL_ID) == "unreadable"
    assert not recordings.finished_raw_recordings(CALL_ID)
    assert metadata.with_name(metadata.name + ".unreadable").exists()
    assert not queued(store_recording)
    phone_clock.tick(31 * 86400)
    os.utime(pcap, (phone_clock.unix(-31 * 86400),) * 2)
    os.utime(
        metadata.with_name(metadata.name + ".unreadable"), (phone_clock.unix(-31 * 86400),) * 2
    )
    delete_expired_recordings.call()
    assert not pcap.exists() and not any((raw_dir / "metadata").iterdir())
