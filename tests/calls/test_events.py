import itertools
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from calls.models import AgentState, Call, Callback, CallEvent, PauseReason, State
from calls.services import call_event_record, call_route
from tests.calls.conftest import available_agents

pytestmark = pytest.mark.django_db


def route(call_id="c1", attempt=1):
    return call_route(
        call_id=call_id,
        from_number="+4930123456",
        to_number="311",
        source="127.0.0.1",
        attempt=attempt,
    )


def record(event, at, call_id="c1", user="", code=0):
    return call_event_record(
        call_id=call_id,
        event=event,
        at=at,
        from_number="+4930123456",
        to_number="311",
        username=user,
        code=code,
        queue_name="City line",
    )


def answered_call_events(start, user):
    """A call answered after 12 s, held from 30 s to 50 s, ended at 100 s."""
    second = timedelta(seconds=1)
    return [
        ("offered", start, ""),
        ("ringing", start + 2 * second, user),
        ("answered", start + 12 * second, user),
        ("hold", start + 30 * second, user),
        ("resume", start + 50 * second, user),
        ("hangup", start + 100 * second, user),
    ]


def test_an_answered_call_gets_its_times_outcome_and_agent(city_line, local_trunk, phone_clock):
    (user,) = available_agents(city_line, 1, phone_clock)
    start = phone_clock.now
    for event, at, username in answered_call_events(start, user.username):
        record(event, at, user=username)
    call = Call.objects.get()
    assert call.offered_at == start
    assert call.rang_at == start + timedelta(seconds=2)
    assert call.answered_at == start + timedelta(seconds=12)
    assert call.ended_at == start + timedelta(seconds=100)
    assert call.hold_seconds == 20
    assert call.talk_seconds == 68
    assert call.outcome == "answered"
    assert call.agent == user
    assert call.queue == city_line
    assert not Callback.objects.exists()


@pytest.mark.parametrize("order", list(itertools.permutations(range(6)))[::97])
def test_events_twice_and_in_any_order_leave_the_same_record(
    city_line, local_trunk, phone_clock, order
):
    (user,) = available_agents(city_line, 1, phone_clock)
    events = answered_call_events(phone_clock.now, user.username)
    for index in [*order, *order[:3]]:
        event, at, username = events[index]
        record(event, at, user=username)
    call = Call.objects.get()
    assert (call.answered_at - call.offered_at).total_seconds() == 12
    assert (call.ended_at - call.offered_at).total_seconds() == 100
    assert call.hold_seconds == 20
    assert call.outcome == "answered"
    assert CallEvent.objects.count() == 6
    assert not Callback.objects.exists()
    # The agent is in wrap-up after the call, whatever order the events came in.
    state = AgentState.objects.get(user=user)
    assert (state.state, state.call) == (State.WRAP_UP, call)


def test_answering_puts_the_agent_on_the_call_and_hanging_up_into_wrap_up(
    city_line, local_trunk, phone_clock
):
    (user,) = available_agents(city_line, 1, phone_clock)
    route()
    assert AgentState.objects.get(user=user).state == State.RINGING
    phone_clock.tick(5)
    record("answered", phone_clock.now, user=user.username)
    assert AgentState.objects.get(user=user).state == State.ON_CALL
    phone_clock.tick(60)
    record("hangup", phone_clock.now, user=user.username)
    state = AgentState.objects.get(user=user)
    assert state.state == State.WRAP_UP
    assert state.until == phone_clock.now + timedelta(seconds=city_line.wrap_up_seconds)


def test_a_caller_who_hangs_up_while_it_rings_is_abandoned_and_owed_a_callback(
    city_line, local_trunk, phone_clock
):
    (user,) = available_agents(city_line, 1, phone_clock)
    route()
    phone_clock.tick(8)
    record("failed", phone_clock.now, user=user.username, code=487)
    call = Call.objects.get()
    assert call.outcome == "abandoned"
    callback = Callback.objects.get()
    assert (callback.queue, callback.number, callback.called_at, callback.call) == (
        city_line,
        "+4930123456",
        phone_clock.now,
        call,
    )
    # Not the agent's doing: available again, in their old place.
    state = AgentState.objects.get(user=user)
    assert state.state == State.AVAILABLE
    assert state.idle_since < call.offered_at


def test_a_caller_who_hangs_up_while_waiting_is_abandoned(city_line, local_trunk, phone_clock):
    assert route()["action"] == "wait"
    record("answered", phone_clock.tick(1))  # the media service, no agent
    record("hangup", phone_clock.tick(40))
    call = Call.objects.get()
    assert call.outcome == "abandoned"
    assert call.answered_at is None
    assert call.wait_seconds == 41
    assert Callback.objects.filter(call=call).count() == 1


def test_a_call_that_rang_out_everywhere_is_owed_a_callback_and_pauses_the_agent(
    city_line, local_trunk, phone_clock
):
    (user,) = available_agents(city_line, 1, phone_clock)
    route()
    phone_clock.tick(20)
    record("failed", phone_clock.now, user=user.username, code=408)
    assert Call.objects.get().outcome == "rang_out"
    assert Callback.objects.count() == 1
    state = AgentState.objects.get(user=user)
    assert state.state == State.PAUSED
    assert state.pause_reason.system_key == PauseReason.MISSED_CALL


def test_a_late_answer_takes_back_the_callback_nobody_worked_on(
    city_line, local_trunk, phone_clock
):
    (user,) = available_agents(city_line, 1, phone_clock)
    start = phone_clock.now
    record("hangup", start + timedelta(seconds=90), user=user.username)
    assert Callback.objects.count() == 1
    record("answered", start + timedelta(seconds=10), user=user.username)
    assert Call.objects.get().outcome == "answered"
    assert not Callback.objects.exists()


def test_busy_and_failed_calls(phone_clock, city_line, local_trunk):
    record("failed", phone_clock.now, call_id="busy", code=486)
    record("failed", phone_clock.now, call_id="broken", code=503)
    assert Call.objects.get(call_id="busy").outcome == "busy"
    assert Call.objects.get(call_id="broken").outcome == "failed"


def test_a_transferred_call_and_its_agent(city_line, local_trunk, phone_clock):
    first, second = available_agents(city_line, 2, phone_clock)
    route()
    record("answered", phone_clock.tick(3), user=first.username)
    record("transferred", phone_clock.tick(30), user=first.username)
    assert AgentState.objects.get(user=first).state == State.WRAP_UP
    record("answered", phone_clock.tick(5), user=second.username)
    assert AgentState.objects.get(user=second).state == State.ON_CALL
    record("hangup", phone_clock.tick(60), user=second.username)
    call = Call.objects.get()
    assert call.outcome == "transferred"
    assert call.agent == first
    assert AgentState.objects.get(user=second).state == State.WRAP_UP


def test_an_unknown_event_is_refused(phone_clock):
    with pytest.raises(ValidationError):
        record("exploded", phone_clock.now)
    with pytest.raises(ValidationError):
        record("reserved", phone_clock.now)  # the application's own
    assert not Call.objects.exists()


def test_an_outbound_call_puts_the_calling_agent_on_the_call(agent, phone_clock):
    call_event_record(
        call_id="out",
        event="answered",
        at=phone_clock.now,
        from_number=agent.username,
        to_number="+4930999",
        username=agent.username,
    )
    call = Call.objects.get()
    assert call.direction == "outbound"
    assert AgentState.objects.get(user=agent).state == State.ON_CALL
    call_event_record(
        call_id="out",
        event="hangup",
        at=phone_clock.tick(30),
        from_number=agent.username,
        to_number="+4930999",
        username=agent.username,
    )
    assert AgentState.objects.get(user=agent).state == State.AVAILABLE  # no queue, no wrap-up
