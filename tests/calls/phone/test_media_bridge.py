"""Real calls the media service joins: a caller who waited is bridged to the agent, and when
either of them hangs up, the other's call ends too."""

import pytest

from callcenter import roles
from calls.models import Outcome, QueueMember, State
from calls.phone.system import wait_until
from calls.services import agent_state_set
from tests.calls.phone.test_calls import HEARD_ENOUGH
from tests.calls.phone.test_queue_calls import call_record, caller
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def bridged_call(parties, queue):
    """A caller who waited in the media service until the agent became available and answered:
    (caller, agent, the caller's Call-ID)."""
    user = user_with_role(roles.AGENT, username="311-agent")
    QueueMember.objects.create(queue=queue, user=user, skill=3)
    agent = parties("311-agent", register=True, tone=440, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    customer = caller(parties)
    customer.call("sip:311@127.0.0.1")
    call_id = customer.wait_for("calling")["call_id"]
    customer.wait_for("media", timeout=5)
    agent_state_set(user=user, state=State.AVAILABLE)
    agent.wait_for("confirmed", timeout=10)
    wait_until(
        lambda: agent.recording.exists() and agent.recording.stat().st_size >= HEARD_ENOUGH,
        timeout=10,
        message="the agent hearing the caller",
    )
    return customer, agent, call_id


def test_the_callers_call_ends_when_the_agent_hangs_up(
    parties, city_line, local_trunk, media_service
):
    customer, agent, call_id = bridged_call(parties, city_line)

    agent.hangup()

    agent.wait_for("disconnected", timeout=5)
    customer.wait_for("disconnected", timeout=5)
    call = call_record(call_id, outcome=Outcome.ANSWERED)
    assert call.agent.username == "311-agent"
    assert call.answered_at < call.ended_at


def test_the_agents_call_ends_when_the_caller_hangs_up(
    parties, city_line, local_trunk, media_service
):
    customer, agent, call_id = bridged_call(parties, city_line)

    customer.hangup()

    customer.wait_for("disconnected", timeout=5)
    agent.wait_for("disconnected", timeout=5)
    call = call_record(call_id, outcome=Outcome.ANSWERED)
    assert call.answered_at < call.ended_at
