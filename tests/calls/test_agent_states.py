from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from callcenter import roles
from calls.models import AgentState, AgentStateChange, PauseReason, State
from calls.services import agent_state_set, agent_wrap_up_extend, call_event_record, call_route
from tests.calls.conftest import available_agents
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_an_agent_without_a_state_is_offline_until_they_choose(agent, phone_clock):
    state = agent_state_set(user=agent, state=State.AVAILABLE)
    assert state.state == State.AVAILABLE
    assert state.since == phone_clock.now
    assert state.idle_since == phone_clock.now
    assert list(AgentStateChange.objects.values_list("state", flat=True)) == ["available"]


def test_every_change_is_kept_with_its_time_and_reason(agent, phone_clock):
    lunch = PauseReason.objects.create(name="Lunch")
    agent_state_set(user=agent, state=State.AVAILABLE)
    phone_clock.tick(60)
    agent_state_set(user=agent, state=State.PAUSED, reason=lunch)
    phone_clock.tick(60)
    agent_state_set(user=agent, state=State.OFFLINE)
    changes = list(AgentStateChange.objects.filter(user=agent))
    assert [(c.state, c.pause_reason) for c in changes] == [
        ("available", None),
        ("paused", lunch),
        ("offline", None),
    ]
    assert changes[2].at - changes[0].at == phone_clock.now - changes[0].at


def test_setting_the_same_state_again_is_not_a_change(agent, phone_clock):
    agent_state_set(user=agent, state=State.AVAILABLE)
    agent_state_set(user=agent, state=State.AVAILABLE)
    assert AgentStateChange.objects.count() == 1


def test_a_pause_needs_an_active_reason(agent, phone_clock):
    with pytest.raises(ValidationError):
        agent_state_set(user=agent, state=State.PAUSED)
    retired = PauseReason.objects.create(name="Smoking", active=False)
    with pytest.raises(ValidationError):
        agent_state_set(user=agent, state=State.PAUSED, reason=retired)


def test_agents_cannot_set_what_only_the_phone_system_sets(agent, phone_clock):
    for state in (State.ON_CALL, State.WRAP_UP, State.RINGING, "lunch"):
        with pytest.raises(ValidationError):
            agent_state_set(user=agent, state=state)
    assert not AgentStateChange.objects.exists()


def test_an_agent_on_a_call_cannot_leave_it_by_changing_availability(
    city_line, local_trunk, phone_clock
):
    (user,) = available_agents(city_line, 1, phone_clock)
    call_route(call_id="c1", from_number="+491", to_number="311", source="127.0.0.1", attempt=1)
    call_event_record(call_id="c1", event="answered", at=phone_clock.now, username=user.username)
    with pytest.raises(ValidationError):
        agent_state_set(user=user, state=State.OFFLINE)
    assert AgentState.objects.get(user=user).state == State.ON_CALL


def test_wrap_up_ends_by_itself_and_can_be_extended(city_line, local_trunk, phone_clock):
    city_line.wrap_up_seconds = 30
    city_line.save()
    (user,) = available_agents(city_line, 1, phone_clock)
    call_route(call_id="c1", from_number="+491", to_number="311", source="127.0.0.1", attempt=1)
    call_event_record(call_id="c1", event="answered", at=phone_clock.now, username=user.username)
    phone_clock.tick(60)
    call_event_record(call_id="c1", event="hangup", at=phone_clock.now, username=user.username)
    state = AgentState.objects.get(user=user)
    assert state.state == State.WRAP_UP
    agent_wrap_up_extend(user=user, seconds=60)
    phone_clock.tick(40)
    assert AgentState.objects.get(user=user).current(phone_clock.now) == State.WRAP_UP
    phone_clock.tick(60)
    assert AgentState.objects.get(user=user).current(phone_clock.now) == State.AVAILABLE
    # The next routing question finds the agent available again, idle since the wrap-up's end.
    answer = call_route(
        call_id="c2", from_number="+492", to_number="311", source="127.0.0.1", attempt=1
    )
    assert answer["user"] == user.username
    last_available = AgentStateChange.objects.filter(user=user, state="available").last()
    assert last_available.at == state.until + timedelta(seconds=60)  # the extended end


def test_wrap_up_cannot_be_extended_by_someone_not_wrapping_up(agent, phone_clock):
    agent_state_set(user=agent, state=State.AVAILABLE)
    with pytest.raises(ValidationError):
        agent_wrap_up_extend(user=agent, seconds=30)
    with pytest.raises(ValidationError):
        agent_wrap_up_extend(user=agent, seconds=0)


def test_an_agent_who_lets_a_call_ring_out_is_paused_for_a_missed_call(
    city_line, local_trunk, phone_clock
):
    first, second = available_agents(city_line, 2, phone_clock)
    answer = call_route(
        call_id="c1", from_number="+491", to_number="311", source="127.0.0.1", attempt=1
    )
    assert answer["user"] == first.username
    phone_clock.tick(20)
    answer = call_route(
        call_id="c1", from_number="+491", to_number="311", source="127.0.0.1", attempt=2
    )
    assert answer["user"] == second.username
    state = AgentState.objects.get(user=first)
    assert state.state == State.PAUSED
    assert state.pause_reason.system_key == PauseReason.MISSED_CALL
    assert str(state.pause_reason) == "Missed call"


def test_a_reservation_nobody_asks_about_again_ends_as_a_missed_call(
    city_line, local_trunk, phone_clock
):
    (user,) = available_agents(city_line, 1, phone_clock)
    call_route(call_id="c1", from_number="+491", to_number="311", source="127.0.0.1", attempt=1)
    phone_clock.tick(city_line.ring_seconds + 6)
    somebody = user_with_role(roles.AGENT, username="somebody")
    agent_state_set(user=somebody, state=State.AVAILABLE)  # any write looks at the clock
    state = AgentState.objects.get(user=user)
    assert state.state == State.PAUSED
    assert state.pause_reason.system_key == PauseReason.MISSED_CALL
