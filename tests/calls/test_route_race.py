"""Twenty calls reach a queue of five available agents at the same moment: each agent is rung
for one call at most, the other calls wait (PostgreSQL, twenty real connections)."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from calls.models import AgentState, AgentStateChange, State
from calls.services import call_route
from tests.calls.conftest import available_agents

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races PostgreSQL sessions"),
]

CALLS = 20
AGENTS = 5


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
    actions = Counter(answer["action"] for answer in answers)
    assert actions == {"ring": AGENTS, "wait": CALLS - AGENTS}
    rung = [answer["user"] for answer in answers if answer["action"] == "ring"]
    assert sorted(rung) == sorted(agent.username for agent in agents)
    states = AgentState.objects.filter(user__in=agents)
    assert {state.state for state in states} == {State.RINGING}
    assert len({state.call_id for state in states}) == AGENTS
    reservations = Counter(
        AgentStateChange.objects.filter(state=State.RINGING).values_list("user", flat=True)
    )
    assert set(reservations.values()) == {1}
