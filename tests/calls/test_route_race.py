"""Twenty calls reach a queue of five available agents at the same moment: each agent is rung
for one call at most, the other calls wait (PostgreSQL, twenty real connections)."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from calls.models import AgentState, AgentStateChange, Call, State
from calls.services import call_route
from tests.calls.conftest import available_agents

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races PostgreSQL sessions"),
]

CALLS = 20
AGENTS = 5


def ask_again_in_line() -> None:
    """The waiting callers ask again, as the media service does: an agent left free by the
    race (a question that counted a caller ahead who was being answered at that moment) goes
    to the caller who waited longest. Every call ends with one agent or none."""
    for call in Call.objects.filter(call_id__contains="race-").order_by("offered_at", "pk"):
        call_route(
            call_id=call.call_id,
            from_number=call.from_number,
            to_number="311",
            source="127.0.0.1",
            attempt=1,
        )


def test_twenty_simultaneous_calls_never_ring_one_agent_twice(city_line, local_trunk, phone_clock):
    agents = available_agents(city_line, AGENTS, phone_clock)
    start = threading.Barrier(CALLS)
    answers, errors = [], []

    def ask(number: int) -> None:
        try:
            start.wait(timeout=10)
            answers.append(
                call_route(
                    call_id=f"race-{number}",
                    from_number=f"+49301234{number:02d}",
                    to_number="311",
                    source="127.0.0.1",
                    attempt=1,
                )
            )
        except Exception as error:  # noqa: BLE001 (reported below, with the thread's answer)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(number,)) for number in range(CALLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    rung = [answer["user"] for answer in answers if answer["action"] == "ring"]
    assert len(rung) == len(set(rung)) <= AGENTS  # never one agent for two calls
    ask_again_in_line()
    states = AgentState.objects.filter(user__in=agents)
    assert {state.state for state in states} == {State.RINGING}
    assert len({state.call_id for state in states}) == AGENTS
    reservations = Counter(
        AgentStateChange.objects.filter(state=State.RINGING).values_list("user", flat=True)
    )
    assert set(reservations.values()) == {1}


def test_twenty_simultaneous_questions_over_http_never_ring_one_agent_twice(
    live_server, city_line, local_trunk, phone_clock, settings
):
    """The same through the whole stack: twenty questions to the live server at once."""
    import json
    import urllib.parse
    import urllib.request

    settings.PHONE_SECRET = "race-secret"
    agents = available_agents(city_line, AGENTS, phone_clock)
    start = threading.Barrier(CALLS)
    answers, errors = [], []

    def ask(number: int) -> None:
        query = urllib.parse.urlencode(
            {
                "call_id": f"http-race-{number}",
                "from": f"+49301234{number:02d}",
                "to": "311",
                "source": "127.0.0.1",
                "attempt": 1,
            }
        )
        request = urllib.request.Request(
            f"{live_server.url}/calls/phone/route/?{query}",
            headers={"X-Phone-Secret": "race-secret"},
        )
        try:
            start.wait(timeout=10)
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                answers.append(json.loads(response.read()))
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(number,)) for number in range(CALLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    rung = [answer["user"] for answer in answers if answer["action"] == "ring"]
    assert len(rung) == len(set(rung)) <= AGENTS
    ask_again_in_line()
    states = AgentState.objects.filter(user__in=agents)
    assert {state.state for state in states} == {State.RINGING}
    assert len({state.call_id for state in states}) == AGENTS
