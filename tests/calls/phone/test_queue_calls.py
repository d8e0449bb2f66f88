"""Real calls from a trunk into a queue: Kamailio asks the application (the test's live server)
which agent to ring, rings the next one when one does not answer, and reports the call's events,
from which the application keeps the call record."""

import pytest

from callcenter import roles
from calls.models import AgentState, Call, Callback, Outcome, QueueMember, State
from calls.phone.audio import heard
from calls.phone.system import wait_until
from calls.services import agent_state_set
from tests.calls.phone.test_calls import talk
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
        call = Call.objects.filter(call_id=call_id).first()
        if call is not None and all(getattr(call, k) == v for k, v in expected.items()):
            return call
        return None

    return wait_until(ready, timeout=10, message=f"call record with {expected}")


def test_a_call_from_an_unconfigured_source_is_refused(parties, city_line):
    stranger = caller(parties)

    stranger.call("sip:311@127.0.0.1")

    assert stranger.wait_for("disconnected", timeout=5)["code"] == 403


def test_a_call_to_the_queue_number_rings_the_agent_the_application_chooses(
    parties, city_line, local_trunk
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
