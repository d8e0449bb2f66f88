"""Real transfers: an agent's phone transfers a caller (REFER) to another queue or agent, at once
(blind) or after talking to them first (attended, REFER with Replaces), for a caller whose own
phone takes the REFER (the call came straight from Kamailio) and for one the media service holds
(the caller waited; the media service takes the REFER on its call to the agent). Each party plays
its own tone: the target's recording tells that the caller was put through."""

import time

import pytest
from django.contrib.auth import get_user_model

from callcenter import roles
from calls.models import Call, Outcome, Queue, Transfer
from calls.phone.audio import heard
from calls.phone.system import wait_until
from calls.services import agent_state_set, call_transfer_start
from tests.calls.phone.test_calls import HEARD_ENOUGH
from tests.calls.phone.test_queue_calls import agent_of, call_record, caller
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

CALLER_TONE, AGENT_TONE, TARGET_TONE = 660, 440, 880
# With the media service's hold music at 880 Hz, the target plays another tone.
OTHER_TONE = 1000
TONES = (440, 660, 880, OTHER_TONE)


@pytest.fixture
def permits(db):
    return Queue.objects.create(name="Permits", number="312", ring_seconds=20)


def answered_by(call_id, username):
    """The call's record once the application knows who answered it."""
    return wait_until(
        lambda: Call.objects.filter(call_id=call_id, agent__username=username).first(),
        timeout=10,
        interval=0.2,
        message=f"{call_id} answered by {username}",
    )


def recorded_enough(path):
    wait_until(
        lambda: path.exists() and path.stat().st_size >= HEARD_ENOUGH,
        timeout=10,
        message=f"{path.name} recording",
    )


def new_call_of(first):
    """The call record that carried out the first call's transfer."""
    transfer = wait_until(
        lambda: Transfer.objects.filter(call=first, new_call__isnull=False).first(),
        timeout=10,
        interval=0.2,
        message="the transfer's new call",
    )
    return transfer.new_call


def hang_up_all(*parties):
    parties[0].hangup()
    for party in parties:
        party.quit()
    for party in parties:
        party.close()


def test_an_agent_transfers_a_caller_to_another_queue_at_once(
    parties, city_line, permits, local_trunk
):
    first_agent = agent_of(city_line, "311-agent")
    agent_of(permits, "312-agent")
    agent = parties("311-agent", register=True, tone=AGENT_TONE, auto_answer=True)
    target = parties("312-agent", register=True, tone=TARGET_TONE, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    target.wait_for("registered", timeout=5)
    customer = caller(parties)
    customer.call("sip:311@127.0.0.1")
    call_id = customer.wait_for("calling")["call_id"]
    customer.wait_for("confirmed", timeout=5)
    answered_by(call_id, "311-agent")

    call_transfer_start(agent=first_agent, call_id=call_id, target="312")
    agent.transfer("sip:312@127.0.0.1")

    referred_at = customer.wait_for("referred", timeout=5)["at"]
    rung_at = target.wait_for("incoming", timeout=10)["at"]
    assert agent.wait_for("transfer_status", final=True, timeout=10)["code"] == 200
    agent.hangup()
    agent.wait_for("disconnected", timeout=5)
    recorded_enough(target.recording)
    recorded_enough(customer.recording_of_call(2))
    hang_up_all(customer, target, agent)
    assert heard(target.recording) == {CALLER_TONE}
    assert heard(customer.recording_of_call(2)) == {TARGET_TONE}
    print(
        "transfer figures: REFER at the caller's phone to the target ringing "
        f"{1000 * (rung_at - referred_at):.0f} ms"
    )

    first = call_record(call_id, outcome=Outcome.TRANSFERRED)
    assert first.agent == first_agent
    new = call_record(new_call_of(first).call_id, outcome=Outcome.ANSWERED)
    assert new.queue == permits
    assert new.agent.username == "312-agent"
    assert new.from_number == first.from_number
    assert new.trunk == local_trunk


def test_an_agent_transfers_a_caller_the_media_service_holds_to_another_agent_by_name(
    parties, city_line, local_trunk, media_service
):
    first_agent = user_with_role(roles.AGENT, username="311-agent")
    city_line.members.create(user=first_agent, skill=3)
    colleague = user_with_role(roles.AGENT, username="berit")
    get_user_model().objects.filter(pk=colleague.pk).update(first_name="Berit", last_name="Berg")
    agent_state_set(user=colleague, state="available")
    agent = parties("311-agent", register=True, tone=AGENT_TONE, auto_answer=True)
    target = parties("berit", register=True, tone=OTHER_TONE, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    target.wait_for("registered", timeout=5)
    customer = caller(parties)
    customer.call("sip:311@127.0.0.1")
    call_id = customer.wait_for("calling")["call_id"]
    media_from = customer.wait_for("media", timeout=5)["at"]  # the music: nobody is available
    agent_state_set(user=first_agent, state="available")
    agent.wait_for("confirmed", timeout=10)
    answered_by(call_id, "311-agent")

    call_transfer_start(agent=first_agent, call_id=call_id, target="berit berg")
    agent.transfer("sip:berit@127.0.0.1")
    transferred_at = time.time()

    target.wait_for("incoming", timeout=10)
    target_from = target.wait_for("confirmed", timeout=10)["at"]
    print(
        "transfer figures: REFER sent to the media service's target answering "
        f"{1000 * (target_from - transferred_at):.0f} ms (auto-answer)"
    )
    # The media service ends the first agent's call once the target has the caller.
    agent.wait_for("disconnected", timeout=10)
    recorded_enough(target.recording)
    wait_until(
        lambda: (
            customer.recording.stat().st_size
            >= HEARD_ENOUGH + 2 * 8000 * (target_from - media_from)
        ),
        timeout=10,
        message="the caller hearing the target",
    )
    hang_up_all(customer, target, agent)
    assert heard(target.recording, TONES) == {CALLER_TONE}
    assert heard(customer.recording, TONES, skip_seconds=target_from - media_from + 0.5) == {
        OTHER_TONE
    }

    first = call_record(call_id, outcome=Outcome.TRANSFERRED)
    assert first.agent == first_agent
    new = call_record(new_call_of(first).call_id, outcome=Outcome.ANSWERED)
    assert new.agent == colleague
    assert new.from_number == first.from_number


def test_an_agent_talks_to_a_colleague_first_then_hands_the_caller_over(
    parties, city_line, local_trunk
):
    first_agent = agent_of(city_line, "311-agent")
    colleague = user_with_role(roles.AGENT, username="berit")
    agent = parties("311-agent", register=True, tone=AGENT_TONE, auto_answer=True)
    target = parties("berit", register=True, tone=TARGET_TONE, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    target.wait_for("registered", timeout=5)
    customer = caller(parties)
    customer.call("sip:311@127.0.0.1")
    call_id = customer.wait_for("calling")["call_id"]
    customer.wait_for("confirmed", timeout=5)
    answered_by(call_id, "311-agent")

    # The caller waits on hold while the agent asks the colleague.
    agent.hold(call_id)
    agent.call("sip:berit@127.0.0.1")
    consult_id = agent.wait_for("calling")["call_id"]
    agent.wait_for("confirmed", call_id=consult_id, timeout=5)
    recorded_enough(target.recording)
    wait_until(
        lambda: Call.objects.filter(
            call_id=consult_id, events__event="answered", events__username="berit"
        ).exists(),
        timeout=10,
        interval=0.2,
        message="the colleague's answer",
    )
    transfer = call_transfer_start(agent=first_agent, call_id=call_id, consult_call_id=consult_id)
    assert transfer.target == "berit"
    agent.transfer_to_call(call_id, consult_id)

    target.wait_for("replaced", timeout=10)
    assert agent.wait_for("transfer_status", final=True, timeout=10)["code"] == 200
    agent.hangup(call_id)
    recorded_enough(target.recording_of_call(2))
    recorded_enough(customer.recording_of_call(2))
    hang_up_all(customer, target, agent)
    assert heard(target.recording) == {AGENT_TONE}  # the consultation
    assert heard(target.recording_of_call(2)) == {CALLER_TONE}
    assert heard(customer.recording_of_call(2)) == {TARGET_TONE}

    first = call_record(call_id, outcome=Outcome.TRANSFERRED)
    assert first.agent == first_agent
    new = call_record(new_call_of(first).call_id, outcome=Outcome.ANSWERED)
    assert new.agent == colleague
    assert Transfer.objects.get(call=first).attended


def test_an_agent_consults_a_colleague_about_a_caller_the_media_service_holds(
    parties, city_line, local_trunk, media_service
):
    first_agent = user_with_role(roles.AGENT, username="311-agent")
    city_line.members.create(user=first_agent, skill=3)
    colleague = user_with_role(roles.AGENT, username="berit")
    agent = parties("311-agent", register=True, tone=AGENT_TONE, auto_answer=True)
    target = parties("berit", register=True, tone=OTHER_TONE, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    target.wait_for("registered", timeout=5)
    customer = caller(parties)
    customer.call("sip:311@127.0.0.1")
    call_id = customer.wait_for("calling")["call_id"]
    customer.wait_for("media", timeout=5)  # the music: nobody is available
    agent_state_set(user=first_agent, state="available")
    agent_leg = agent.wait_for("confirmed", timeout=10)["call_id"]
    answered_by(call_id, "311-agent")

    agent.hold(agent_leg)
    agent.call("sip:berit@127.0.0.1")
    consult_id = agent.wait_for("calling")["call_id"]
    agent.wait_for("confirmed", call_id=consult_id, timeout=5)
    wait_until(
        lambda: Call.objects.filter(
            call_id=consult_id, events__event="answered", events__username="berit"
        ).exists(),
        timeout=10,
        interval=0.2,
        message="the colleague's answer",
    )
    call_transfer_start(agent=first_agent, call_id=call_id, consult_call_id=consult_id)
    # The agent's phone refers the media service's call to the consultation's place.
    agent.transfer_to_call(agent_leg, consult_id)

    target.wait_for("replaced", timeout=10)
    agent.wait_for("disconnected", call_id=agent_leg, timeout=10)
    recorded_enough(target.recording_of_call(2))
    hang_up_all(customer, target, agent)
    assert heard(target.recording_of_call(2), TONES) == {CALLER_TONE}

    first = call_record(call_id, outcome=Outcome.TRANSFERRED)
    new = call_record(new_call_of(first).call_id, outcome=Outcome.ANSWERED)
    assert new.agent == colleague
    assert new.from_number == first.from_number
