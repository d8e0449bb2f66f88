"""Many callers at once into a queue with fewer agents, through the real phone system and the
media service: every call is answered by exactly one agent or left as a callback, none is lost,
and no agent ever has two calls at once."""

import pytest

from callcenter import roles
from calls.models import Call, Callback, Outcome, QueueMember, State
from calls.phone.audio import tone_levels
from calls.phone.system import wait_until
from calls.services import agent_state_set
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

# The twenty callers into five agents: the media service holds four calls per process
# (the pjsua2-python wheel's PJSUA_MAX_CALLS), so the tests run six of them.
CALLERS = 20
AGENTS = 5


def most_at_once(events):
    """The most calls a party had at the same time, from its incoming and disconnected events."""
    active, most = set(), 0
    for event in events:
        if event["event"] == "incoming":
            active.add(event["call_id"])
        elif event["event"] == "disconnected":
            active.discard(event["call_id"])
        most = max(most, len(active))
    return most


def test_twenty_callers_into_five_agents_are_each_answered_once_or_called_back(
    parties, city_line, local_trunk, media_service, settings
):
    # Waiting callers ask again soon, so that the queue empties in a few seconds.
    settings.QUEUE_RETRY_SECONDS = (0.5, 0.5, 0.5)
    city_line.wrap_up_seconds = 0
    city_line.ring_seconds = 5
    city_line.max_wait_seconds = 60
    city_line.save()
    agents = []
    for number in range(AGENTS):
        user = user_with_role(roles.AGENT, username=f"311-agent{number}")
        QueueMember.objects.create(queue=city_line, user=user, skill=3)
        agent_state_set(user=user, state=State.AVAILABLE)
        agent = parties(
            user.username,
            register=True,
            tone=440,
            auto_answer=True,
            answer_delay_ms=200,
            hangup_after_ms=1500,
            record=False,
        )
        agents.append(agent)
    for agent in agents:
        agent.wait_for("registered", timeout=10)
    callers = [
        parties(f"caller{number}", user=f"+49301234{number:03d}", domain="pstn.example", tone=660)
        for number in range(CALLERS)
    ]

    for caller in callers:
        caller.call("sip:311@127.0.0.1")

    call_ids = [caller.wait_for("calling", timeout=10)["call_id"] for caller in callers]
    for caller in callers:
        caller.wait_for("disconnected", timeout=90)

    def settled():
        calls = {c.call_id: c for c in Call.objects.filter(call_id__in=call_ids)}
        if len(calls) < CALLERS or any(c.ended_at is None for c in calls.values()):
            return None
        return calls

    calls = wait_until(settled, timeout=20, interval=0.5, message="every call's record")
    called_back = set(
        Callback.objects.filter(call__call_id__in=call_ids).values_list("call__call_id", flat=True)
    )
    for call_id, call in calls.items():
        if call.outcome == Outcome.ANSWERED:
            assert call.agent is not None, call_id
            assert call_id not in called_back, call_id
        else:
            assert call_id in called_back, (call_id, call.outcome)
    answered = [c for c in calls.values() if c.outcome == Outcome.ANSWERED]
    assert answered, "no call was answered"
    for agent in agents:
        assert most_at_once(agent.seen + drain(agent)) <= 1, agent.name
    answered_callers = [
        caller
        for caller, call_id in zip(callers, call_ids, strict=True)
        if calls[call_id].outcome == Outcome.ANSWERED
    ]
    # Every caller is told to quit first, then waited for (their recordings are complete when
    # they are gone): they take their leave at once rather than one after the other.
    for caller in answered_callers:
        caller.quit()
    for caller in answered_callers:
        caller.close()
        assert tone_levels(caller.recording)[440] > 0.05, caller.name


def drain(party):
    events = []
    while not party.events.empty():
        events.append(party.events.get_nowait())
    return events
