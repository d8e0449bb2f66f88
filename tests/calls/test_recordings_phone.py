"""A real recorded call through the phone system (Kamailio, rtpengine, pjsua2 parties against the
test's live server): its recording holds both parties, the caller's 440 Hz and the agent's
660 Hz, stored compressed with the call."""

import pytest
from django_tasks_db.models import DBTaskResult

from callcenter import roles
from calls import recordings
from calls.models import Call, CallRecording, Outcome, QueueMember, State
from calls.phone.audio import tone_levels
from calls.phone.system import wait_until
from calls.services import agent_state_set
from calls.tasks import store_recording
from tests.calls.phone.hearing import heard_so_far, music_after_speech
from tests.calls.phone.test_calls import talk
from tests.calls.phone.test_queue_calls import call_record
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_recorded_call_holds_both_parties_compressed(parties, city_line, local_trunk, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert city_line.record
    user = user_with_role(roles.AGENT, username="311-agent")
    QueueMember.objects.create(queue=city_line, user=user, skill=3)
    agent_state_set(user=user, state=State.AVAILABLE)
    agent = parties("311-agent", register=True, tone=660, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    customer = parties("caller", user="+4930123456", domain="pstn.example", tone=440)

    customer.call("sip:311@127.0.0.1")
    call_id = customer.wait_for("calling")["call_id"]
    customer.wait_for("confirmed", timeout=5)
    talk(customer, agent)
    call = call_record(call_id, outcome=Outcome.ANSWERED)

    # The end of the call asked the task worker for the recording ...
    wait_until(
        lambda: any(
            task.task_path.endswith("store_recording") and task.args_kwargs["args"][0] == call_id
            for task in DBTaskResult.objects.all()
        ),
        timeout=10,
        interval=0.2,
        message="the recording asked of the task worker",
    )
    # ... which it does (here, run by the test) once rtpengine has finished the recording.
    wait_until(
        lambda: recordings.finished_raw_recordings(call_id),
        timeout=10,
        interval=0.2,
        message="rtpengine finishing its recording",
    )
    assert store_recording.call(call_id) == "stored"

    recording = CallRecording.objects.get(call=Call.objects.get(call_id=call_id))
    assert recording.call == call
    path = recordings.stored_path(recording.file_name)
    assert path.suffix == ".mp3" and path.stat().st_size == recording.size
    assert recording.seconds >= 1
    # Compressed: at most 16 kbit/s and a little for the file's frames.
    assert recording.size <= 2_200 * max(1, recording.seconds) + 2_000
    samples, rate = recordings.read_audio(path)
    wav = path.with_suffix(".wav")
    recordings.write_wav(wav, samples, rate)
    levels = tone_levels(wav, skip_seconds=0.5)
    assert levels[440] > 0.2, levels  # the caller
    assert levels[660] > 0.2, levels  # the agent
    assert levels[440] + levels[660] > 0.8, levels
    assert not recordings.finished_raw_recordings(call_id), "rtpengine's pcap is removed"


def test_a_waiting_callers_recording_holds_the_music_then_the_agent(
    parties, city_line, local_trunk, media_service, settings
):
    """The caller hears their place, then waits with the media service's music (880 Hz) until
    the agent (660 Hz) is free: the recording of the caller's call holds the caller, the music,
    then the agent."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user = user_with_role(roles.AGENT, username="311-agent")
    QueueMember.objects.create(queue=city_line, user=user, skill=3)
    agent = parties("311-agent", register=True, tone=660, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    customer = parties("caller", user="+4930123456", domain="pstn.example", tone=440)

    customer.call("sip:311@127.0.0.1")
    call_id = customer.wait_for("calling")["call_id"]
    customer.wait_for("media", timeout=5)
    wait_until(
        lambda: music_after_speech(heard_so_far(customer), music_blocks=10),
        timeout=20,
        interval=0.2,
        message="the caller hearing their place, then the music",
    )
    agent_state_set(user=user, state=State.AVAILABLE)
    agent.wait_for("confirmed", timeout=5)
    talk(agent, customer)
    call_record(call_id, outcome=Outcome.ANSWERED)
    wait_until(
        lambda: recordings.finished_raw_recordings(call_id),
        timeout=10,
        interval=0.2,
        message="rtpengine finishing its recording",
    )
    assert store_recording.call(call_id) == "stored"

    recording = CallRecording.objects.get(call__call_id=call_id)
    samples, rate = recordings.read_audio(recordings.stored_path(recording.file_name))
    wav = recordings.stored_path(recording.file_name).with_suffix(".wav")
    recordings.write_wav(wav, samples, rate)
    seconds = len(samples) / rate
    # The second before the agent joined (after the caller had heard their place).
    halves = [
        tone_levels(wav, skip_seconds=t / 2, until=t / 2 + 0.5) for t in range(int(2 * seconds))
    ]
    joined = next(index for index, levels in enumerate(halves) if levels[660] > 0.2)
    waiting = halves[joined - 2]
    talking = tone_levels(wav, skip_seconds=seconds - 1.0, until=seconds - 0.2)
    assert waiting[440] > 0.2 and waiting[880] > 0.2 and waiting[660] < 0.05, waiting
    assert talking[440] > 0.2 and talking[660] > 0.2 and talking[880] < 0.05, talking
