"""What the routing answer tells the media service to say to a waiting caller: the language
(the caller's customer's, the queue's, the default), and for a recorded queue that announces
it, the recording announcement, which is played before anyone is rung for the caller."""

import pytest

from calls.models import AgentState, State
from calls.services import call_route
from tests.calls.conftest import available_agents
from tests.factories import customer_with_phone

pytestmark = pytest.mark.django_db

CALLER = "+4930123456"
ANNOUNCEMENT = "This call is recorded to help us advise you well."


def route(call_id="c1", attempt=1, from_number=CALLER, **values):
    return call_route(
        call_id=call_id,
        from_number=from_number,
        to_number="311",
        source="127.0.0.1",
        attempt=attempt,
        **values,
    )


@pytest.fixture
def announcing(city_line):
    city_line.consent_announcement = ANNOUNCEMENT
    city_line.language = "de"
    city_line.save()
    return city_line


def test_a_recorded_queue_with_an_announcement_has_it_played_before_anyone_rings(
    announcing, local_trunk, phone_clock
):
    (user,) = available_agents(announcing, 1, phone_clock)

    first = route()
    again = route(attempt=2)

    for answer in (first, again):
        assert answer["action"] == "wait"
        assert answer["announcement"] == ANNOUNCEMENT
        assert answer["announcement_language"] == "de"
        assert answer["position"] == 1
    assert AgentState.objects.get(user=user).state == State.AVAILABLE
    # The media service has played it: the agent rings, and the answer says no more.
    ring = route(attempt=3, announced=True)
    assert ring["user"] == user.username
    assert "announcement" not in ring and "language" not in ring


def test_without_recording_or_without_a_text_nothing_is_announced(
    city_line, local_trunk, phone_clock
):
    available_agents(city_line, 2, phone_clock)
    assert route(call_id="no-text")["action"] == "ring"
    city_line.consent_announcement = ANNOUNCEMENT
    city_line.record = False
    city_line.save()
    assert route(call_id="not-recorded")["action"] == "ring"


def test_the_caller_hears_their_customers_language_else_the_queues_else_the_default(
    city_line, local_trunk, phone_clock, settings
):
    settings.LANGUAGE_CODE = "en"
    assert route(call_id="unknown")["language"] == "en"
    city_line.language = "de"
    city_line.save()
    assert route(call_id="queue")["language"] == "de"
    customer_with_phone("+49301234567", preferred_language="nb")
    assert route(call_id="customer", from_number="+49301234567")["language"] == "nb"


def test_customers_who_share_a_number_and_disagree_leave_the_queues_language(
    city_line, local_trunk, phone_clock
):
    city_line.language = "de"
    city_line.save()
    customer_with_phone("+49301234567", preferred_language="nb")
    customer_with_phone("+49301234567", preferred_language="en")
    assert route(from_number="+49301234567")["language"] == "de"


def test_a_caller_past_the_longest_wait_no_longer_holds_the_next_one_back(
    city_line, local_trunk, phone_clock
):
    assert route(call_id="choosing")["position"] == 1  # then leaves a message: no agent for them
    phone_clock.tick(city_line.max_wait_seconds + 1)
    assert route(call_id="next")["position"] == 1
    (user,) = available_agents(city_line, 1, phone_clock)
    assert route(call_id="next")["user"] == user.username
