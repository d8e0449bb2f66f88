"""The cast of a call center's phone tests: the city line, its agents, a clock the tests move
(calls.clock), and the real phone system with its SIP parties (tests/calls/phone/harness.py)."""

from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import pytest

from callcenter import roles
from calls.models import Queue, Trunk
from tests.calls.phone.harness import (
    RTP_PORTS,
    MediaService,
    WorkerPhone,
    ephemeral_credentials,
    start_phone_system,
    stop_phone_system,
    use_phone_system,
)
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


@pytest.fixture(scope="session")
def worker_phone(live_server, tmp_path_factory):
    """The phone system the tests of this process share (see WorkerPhone)."""
    shared = WorkerPhone(live_server.url, tmp_path_factory.mktemp("worker-phone"))
    yield shared
    shared.stop()


@pytest.fixture
def kamailio_asks(live_server):
    """Where Kamailio asks its routing questions: the live server (a test module that wants
    Kamailio to find no application overrides this, and gets a phone system of its own)."""
    return live_server.url


@pytest.fixture
def rtp_ports():
    """How many UDP ports rtpengine relays audio on (a benchmark with many calls at once
    overrides this, and gets a phone system of its own)."""
    return RTP_PORTS


@pytest.fixture
def phone_system(request, kamailio_asks, rtp_ports, live_server, settings, tmp_path):
    """Kamailio and rtpengine against the live server, settled (no call, event or registration
    left from the test before); the test's settings name their ports."""
    if kamailio_asks != live_server.url or rtp_ports != RTP_PORTS:
        system = start_phone_system(kamailio_asks, tmp_path, rtp_ports)
        use_phone_system(settings, system, live_server.url)
        try:
            yield system
        finally:
            stop_phone_system(system)
        return
    shared = request.getfixturevalue("worker_phone")
    system = shared.phone_system()
    use_phone_system(settings, system, live_server.url)
    yield system
    shared.after_test()


@pytest.fixture
def media_service(request, phone_system, live_server):
    """manage.py media_service for the test's phone system (HOLD_TONE as its hold music)."""
    shared = request.getfixturevalue("worker_phone")
    if phone_system is shared.system:
        yield shared.media_service()
        return
    media = MediaService(phone_system, live_server.url, shared.prompts_dir)
    try:
        yield media
    finally:
        media.stop()


@pytest.fixture
def parties(phone_system, tmp_path):
    """make(name, ...) starts a SIP party against the test's phone system; every party is
    stopped at teardown. register=True registers it with valid credentials; tone and a
    recording file (tmp_path/<name>.wav) come with every party."""
    from calls.phone.party import Party

    config = phone_system.config
    with ExitStack() as stack:

        def make(name, *, register=False, tone=None, credentials=None, record=True, **options):
            if register and credentials is None:
                credentials = ephemeral_credentials(name)
            auth_user, password = credentials or (None, None)
            party = Party(
                name,
                proxy=f"{config.sip_host}:{config.sip_port}",
                domain=options.pop("domain", config.sip_domain),
                auth_user=auth_user,
                password=password,
                register=register,
                tone=tone,
                record=tmp_path / f"{name}.wav" if record else None,
                log_path=tmp_path / f"{name}.log",
                **options,
            )
            party.recording = tmp_path / f"{name}.wav"
            made.append(party)
            return party

        made = []
        # Every party is told to quit first, then waited for: they take their leave at once.
        stack.callback(lambda: [party.close() for party in made])
        stack.callback(lambda: [party.quit() for party in made])
        yield make
