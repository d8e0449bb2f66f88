"""The cast of a call center's phone tests: the city line, its agents, and a clock the tests
move (calls.clock)."""

from datetime import UTC, datetime, timedelta

import pytest

from callcenter import roles
from calls.models import Queue, Trunk
from tests.factories import user_with_role


class TestClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def unix(self, seconds_later: float = 0) -> float:
        return (self.now + timedelta(seconds=seconds_later)).timestamp()


@pytest.fixture
def phone_clock(monkeypatch):
    clock = TestClock()
    monkeypatch.setattr("calls.clock.now", clock)
    return clock


@pytest.fixture
def city_line(db):
    return Queue.objects.create(name="City line", number="311", ring_seconds=20)


@pytest.fixture
def local_trunk(db):
    return Trunk.objects.create(name="Local test trunk", source_addresses="127.0.0.1")


def available_agents(queue: Queue, count: int, clock: TestClock, *, skill: int = 3) -> list:
    """`count` agents in the queue, made available one second apart (the first idle longest)."""
    from calls.models import QueueMember
    from calls.services import agent_state_set

    made = []
    for number in range(count):
        user = user_with_role(roles.AGENT, username=f"{queue.number}-agent{number}")
        QueueMember.objects.create(queue=queue, user=user, skill=skill)
        agent_state_set(user=user, state="available")
        made.append(user)
        clock.tick(1)
    return made
