import pytest
from django.test import override_settings

from callcenter import roles
from calls.models import AgentState, Call, CallEvent, QueueMember, State, Trunk
from calls.services import agent_state_set, call_event_record, call_route
from tests.calls.conftest import available_agents
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def route(
    call_id="c1",
    from_number="+4930123456",
    to="311",
    source="127.0.0.1",
    attempt=1,
    authenticated=False,
):
    return call_route(
        call_id=call_id,
        from_number=from_number,
        to_number=to,
        source=source,
        attempt=attempt,
        authenticated=authenticated,
    )


def test_a_call_rings_the_member_idle_longest(city_line, local_trunk, phone_clock):
    first, second, third = available_agents(city_line, 3, phone_clock)
    answer = route()
    assert answer == {
        "action": "ring",
        "user": first.username,
        "uri": f"sip:{first.username}@127.0.0.1",
        "ring_seconds": 20,
        "record": True,
        "queue": "City line",
    }
    assert route(call_id="c2")["user"] == second.username
    assert route(call_id="c3")["user"] == third.username
    call = Call.objects.get(call_id="c1")
    assert (call.queue, call.trunk, call.direction) == (city_line, local_trunk, "inbound")
    assert call.offered_at == phone_clock.now


def test_the_highest_skill_comes_before_the_longest_idle(city_line, local_trunk, phone_clock):
    idle_longer = available_agents(city_line, 1, phone_clock, skill=2)[0]
    expert = user_with_role(roles.AGENT, username="expert")
    QueueMember.objects.create(queue=city_line, user=expert, skill=5)
    agent_state_set(user=expert, state=State.AVAILABLE)
    assert route()["user"] == expert.username
    assert route(call_id="c2")["user"] == idle_longer.username


def test_only_available_members_of_the_queue_are_rung(city_line, local_trunk, phone_clock):
    (member,) = available_agents(city_line, 1, phone_clock)
    outsider = user_with_role(roles.AGENT, username="other-queue")
    agent_state_set(user=outsider, state=State.AVAILABLE)
    agent_state_set(user=member, state=State.OFFLINE)
    assert route()["action"] == "wait"


def test_an_agent_ringing_for_or_on_a_call_is_never_offered_another(
    city_line, local_trunk, phone_clock
):
    (user,) = available_agents(city_line, 1, phone_clock)
    assert route(call_id="c1")["user"] == user.username
    assert route(call_id="c2")["action"] == "wait"
    call_event_record(call_id="c1", event="answered", at=phone_clock.now, username=user.username)
    assert route(call_id="c3")["action"] == "wait"
    assert AgentState.objects.get(user=user).state == State.ON_CALL


def test_without_a_free_agent_the_caller_waits_in_the_media_service(
    city_line, local_trunk, phone_clock
):
    answer = route()
    assert answer == {
        "action": "wait",
        "uri": f"sip:queue-{city_line.pk}@127.0.0.1:5070",
        "queue": "City line",
        "max_wait_seconds": 300,
        "record": True,
        "position": 1,
        "retry_seconds": 1,
        "language": "en",
    }
    # The media service asks again; an agent who became free meanwhile gets the call.
    (user,) = available_agents(city_line, 1, phone_clock)
    assert route()["user"] == user.username
    assert Call.objects.count() == 1


def test_the_same_question_asked_again_gets_the_same_agent(city_line, local_trunk, phone_clock):
    first, _second = available_agents(city_line, 2, phone_clock)
    assert route()["user"] == first.username
    assert route()["user"] == first.username
    assert CallEvent.objects.filter(event="reserved").count() == 1


def test_an_agent_already_tried_for_a_call_is_not_rung_for_it_again(
    city_line, local_trunk, phone_clock
):
    first, second = available_agents(city_line, 2, phone_clock)
    route(attempt=1)
    assert route(attempt=2)["user"] == second.username
    agent_state_set(user=first, state=State.AVAILABLE)
    phone_clock.tick(30)
    assert route(attempt=3)["action"] == "wait"


def test_calls_from_unknown_places_and_to_unknown_numbers_are_refused(
    city_line, local_trunk, phone_clock
):
    available_agents(city_line, 1, phone_clock)
    assert route(source="203.0.113.9") == {
        "action": "reject",
        "code": 403,
        "reason": "Unknown source",
    }
    assert route(to="999")["code"] == 404
    assert route(source="not-an-address")["code"] == 403
    assert not Call.objects.exists()


def test_the_development_trunk_takes_calls_only_with_debug(city_line, phone_clock):
    Trunk.objects.create(name="Local", source_addresses="127.0.0.1", debug_only=True)
    available_agents(city_line, 1, phone_clock)
    with override_settings(DEBUG=False):
        assert route()["code"] == 403
    with override_settings(DEBUG=True):
        assert route()["action"] == "ring"


def test_a_user_calls_another_available_user_directly(phone_clock):
    caller = user_with_role(roles.AGENT, username="anna")
    callee = user_with_role(roles.SUPERVISOR, username="bert")
    agent_state_set(user=callee, state=State.AVAILABLE)
    answer = route(from_number="anna", to="bert", authenticated=True)
    assert answer == {"action": "agent", "user": "bert", "uri": "sip:bert@127.0.0.1"}
    assert AgentState.objects.get(user=callee).state == State.RINGING
    assert Call.objects.get().direction == "internal"
    # Busy now: a second call is refused rather than ringing the same person.
    assert route(call_id="c2", from_number="anna", to="bert", authenticated=True)["code"] == 480
    assert caller.username == "anna"


def test_outside_callers_cannot_dial_users(phone_clock):
    user_with_role(roles.AGENT, username="bert")
    assert route(from_number="+491", to="bert")["code"] == 403


def test_a_caller_is_a_user_only_when_the_phone_system_checked_their_credentials(
    city_line, phone_clock
):
    # A user whose name is a number: a caller from outside who sends that number as theirs is
    # not that user, and without a trunk for their address is refused.
    user_with_role(roles.AGENT, username="4711")
    bert = user_with_role(roles.AGENT, username="bert")
    agent_state_set(user=bert, state=State.AVAILABLE)
    assert route(from_number="4711", to="bert", source="192.0.2.1")["code"] == 403
    assert route(call_id="c2", from_number="4711", to="311", source="192.0.2.1")["code"] == 403
    assert route(call_id="c3", from_number="4711", to="bert", authenticated=True)["action"] == (
        "agent"
    )


def test_an_answered_call_is_not_routed_again(city_line, local_trunk, phone_clock):
    (user,) = available_agents(city_line, 1, phone_clock)
    route()
    call_event_record(call_id="c1", event="answered", at=phone_clock.now, username=user.username)
    assert route(attempt=2)["code"] == 480


def test_a_free_agent_goes_to_the_caller_who_waited_longest(city_line, local_trunk, phone_clock):
    assert route(call_id="first")["action"] == "wait"
    phone_clock.tick(5)
    assert route(call_id="second")["action"] == "wait"
    phone_clock.tick(5)
    (user,) = available_agents(city_line, 1, phone_clock)
    # The later caller happens to ask first: it keeps waiting, second in line.
    answer = route(call_id="second")
    assert (answer["action"], answer["position"]) == ("wait", 2)
    assert route(call_id="third")["position"] == 3
    assert route(call_id="first")["user"] == user.username
    # Now the agent rings for the first caller, the second is at the head of the queue.
    assert route(call_id="second")["position"] == 1


def test_the_wait_answer_says_each_callers_place_and_when_to_ask_again(
    city_line, local_trunk, phone_clock
):
    for number in range(7):
        route(call_id=f"c{number}")
        phone_clock.tick(1)
    answers = [route(call_id=f"c{number}") for number in range(7)]
    assert [answer["position"] for answer in answers] == [1, 2, 3, 4, 5, 6, 7]
    assert [answer["retry_seconds"] for answer in answers] == [1, 1, 1, 1, 1, 2, 2]


def test_callers_whose_end_was_never_reported_do_not_hold_the_queue_for_ever(
    city_line, local_trunk, phone_clock
):
    route(call_id="lost")  # its hangup never came
    phone_clock.tick(city_line.max_wait_seconds + 61)
    (user,) = available_agents(city_line, 1, phone_clock)
    assert route(call_id="new")["user"] == user.username


def test_a_waiting_caller_gets_the_agent_whose_wrap_up_just_ended(
    city_line, local_trunk, phone_clock
):
    city_line.wrap_up_seconds = 30
    city_line.save()
    (user,) = available_agents(city_line, 1, phone_clock)
    route(call_id="c1")
    call_event_record(call_id="c1", event="answered", at=phone_clock.now, username=user.username)
    call_event_record(call_id="c1", event="hangup", at=phone_clock.tick(60), username=user.username)
    assert route(call_id="c2")["action"] == "wait"
    phone_clock.tick(29)
    assert route(call_id="c2")["action"] == "wait"
    phone_clock.tick(2)
    assert route(call_id="c2")["user"] == user.username
