"""Real calls from a trunk into a queue: Kamailio asks the application (the test's live server)
which agent to ring, rings the next one when one does not answer, and reports the call's events,
from which the application keeps the call record."""

import pytest
from django.db import OperationalError

from callcenter import roles
from calls.models import AgentState, Call, Callback, Outcome, QueueMember, State
from calls.phone.audio import heard
from calls.phone.recordings import recording_of, write_wavs
from calls.phone.system import wait_until
from calls.services import agent_state_set
from tests.calls.phone.harness import HOLD_TONE
from tests.calls.phone.hearing import heard_so_far, music_after_speech
from tests.calls.phone.test_calls import HEARD_ENOUGH, talk
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

CALLER = "+4930123456"


def agent_of(queue, username):
    user = user_with_role(roles.AGENT, username=username)
    QueueMember.objects.create(queue=queue, user=user, skill=3)
    agent_state_set(user=user, state=State.AVAILABLE)
    return user


def caller(parties, **options):
    """Someone calling in through the trunk: a number from the provider's domain, no account."""
    return parties("caller", user=CALLER, domain="pstn.example", tone=660, **options)


def call_record(call_id, **expected):
    """The call's record once the application has it with the expected values."""

    def ready():
        try:
            call = Call.objects.filter(call_id=call_id).first()
        except OperationalError:  # SQLite's shared test database: a writer holds the table
            return None
        if call is not None and all(getattr(call, k) == v for k, v in expected.items()):
            return call
        return None

    try:
        # Not too often: SQLite's shared in-memory test database refuses a writer while
        # another connection reads the same table.
        return wait_until(ready, timeout=10, interval=0.2, message=f"call record with {expected}")
    except TimeoutError as error:
        call = Call.objects.filter(call_id=call_id).first()
        events = list(call.events.values_list("event", "username", "code")) if call else None
        raise AssertionError(f"{error}; record {call and vars(call)}; events {events}") from error


def test_a_call_from_an_unconfigured_source_is_refused(parties, city_line):
    stranger = caller(parties)

    stranger.call("sip:311@127.0.0.1")

    assert stranger.wait_for("disconnected", timeout=5)["code"] == 403


def recorded_tones(recordings_dir, call_id, directory):
    """The tones heard in the streams of the call's recording, once rtpengine has written it."""

    def tones():
        pcap = recording_of(recordings_dir, call_id)
        if pcap is None:
            return None
        found = set()
        for wav in write_wavs(pcap, directory):
            found |= heard(wav, skip_seconds=0.2)
        return found if len(found) >= 2 else None

    try:
        return wait_until(tones, timeout=5, interval=0.2, message="the call's recording")
    except TimeoutError:
        pcap = recording_of(recordings_dir, call_id)
        return pcap and {w.name: heard(w) for w in write_wavs(pcap, directory)}


def test_a_call_to_the_queue_number_rings_the_agent_the_application_chooses(
    parties, city_line, local_trunk, settings, tmp_path
):
    agent_of(city_line, "311-agent")
    agent = parties("311-agent", register=True, tone=440, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    customer = caller(parties)

    customer.call("sip:311@127.0.0.1")

    call_id = customer.wait_for("calling")["call_id"]
    agent.wait_for("incoming", timeout=5)
    customer.wait_for("confirmed", timeout=5)
    talk(customer, agent)
    assert heard(agent.recording) == {660}
    assert heard(customer.recording) == {440}
    call = call_record(call_id, outcome=Outcome.ANSWERED)
    assert call.queue == city_line
    assert call.trunk == local_trunk
    assert call.from_number == CALLER
    assert call.agent.username == "311-agent"
    assert call.offered_at <= call.rang_at <= call.answered_at < call.ended_at
    # The queue records its calls: rtpengine's recording holds both voices.
    assert recorded_tones(settings.CALL_RECORDINGS_DIR, call_id, tmp_path) == {440, 660}


def test_an_agent_who_lets_it_ring_out_is_paused_and_the_next_one_rings(
    parties, city_line, local_trunk
):
    city_line.ring_seconds = 1
    city_line.save()
    absent = agent_of(city_line, "311-absent")
    agent_of(city_line, "311-present")
    # The absent agent, made available first, has been idle longest: the call rings there first.
    away = parties("311-absent", register=True, tone=880)
    present = parties("311-present", register=True, tone=440, auto_answer=True)
    away.wait_for("registered", timeout=5)
    present.wait_for("registered", timeout=5)
    customer = caller(parties)

    customer.call("sip:311@127.0.0.1")

    call_id = customer.wait_for("calling")["call_id"]
    away.wait_for("incoming", timeout=5)
    present.wait_for("incoming", timeout=5)
    customer.wait_for("confirmed", timeout=5)
    talk(customer, present)
    assert heard(customer.recording) == {440}
    call = call_record(call_id, outcome=Outcome.ANSWERED)
    assert call.agent.username == "311-present"
    absent_state = AgentState.objects.get(user=absent)
    assert absent_state.state == State.PAUSED
    assert absent_state.pause_reason.system_key == "missed_call"


def test_a_caller_who_hangs_up_while_it_rings_is_an_abandoned_call(parties, city_line, local_trunk):
    agent_of(city_line, "311-agent")
    agent = parties("311-agent", register=True, tone=440)
    agent.wait_for("registered", timeout=5)
    customer = caller(parties)

    customer.call("sip:311@127.0.0.1")
    call_id = customer.wait_for("calling")["call_id"]
    agent.wait_for("incoming", timeout=5)
    customer.hangup()

    assert customer.wait_for("disconnected", timeout=5)["code"] == 487
    call = call_record(call_id, outcome=Outcome.ABANDONED)
    assert call.answered_at is None
    assert Callback.objects.filter(call=call, queue=city_line).exists()


def test_a_waiting_caller_hears_music_until_an_agent_is_free_and_then_the_agent(
    parties, city_line, local_trunk, media_service
):
    user = user_with_role(roles.AGENT, username="311-agent")
    QueueMember.objects.create(queue=city_line, user=user, skill=3)
    agent = parties("311-agent", register=True, tone=440, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    customer = caller(parties)

    customer.call("sip:311@127.0.0.1")

    call_id = customer.wait_for("calling")["call_id"]
    music_from = customer.wait_for("media", timeout=5)["at"]
    wait_until(
        lambda: music_after_speech(heard_so_far(customer), music_blocks=10),
        timeout=20,
        interval=0.2,
        message="the caller hearing their place, then the music",
    )
    agent_state_set(user=user, state=State.AVAILABLE)
    agent.wait_for("incoming", timeout=5)
    joined_at = agent.wait_for("confirmed", timeout=5)["at"]
    wait_until(
        lambda: agent.recording.exists() and agent.recording.stat().st_size >= HEARD_ENOUGH,
        timeout=10,
        message="the agent hearing the caller",
    )
    joined = joined_at - music_from
    customer.hangup()
    customer.wait_for("disconnected", timeout=5)
    agent.wait_for("disconnected", timeout=5)
    customer.quit()  # both at once; close() waits for each
    agent.quit()
    customer.close()
    agent.close()
    assert heard(customer.recording, skip_seconds=joined - 1.0, until=joined - 0.2) == {HOLD_TONE}
    assert heard(customer.recording, skip_seconds=joined + 0.5) == {440}
    assert heard(agent.recording) == {660}
    call = call_record(call_id, outcome=Outcome.ANSWERED)
    assert call.agent == user
    assert call.answered_at < call.ended_at
