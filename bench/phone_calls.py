"""Call setup through the real phone system on loopback (Kamailio, rtpengine, pjsua2 parties),
against the application on pytest-django's live server, with the test suite's fixtures:

    DEBUG=true .venv/bin/pytest -q -s -p no:cacheprovider bench/phone_calls.py [--calls 20]

Prints median, p95 and max of: a registration (REGISTER, 401, REGISTER with credentials, 200),
a call from one registered user to another (INVITE to 200 OK, auto-answer), a call from the
trunk to the queue number (the same, plus Kamailio's routing question to the application), and
the routing question alone over HTTP as Kamailio asks it (answered "wait": nobody is free).
Times are the parties' own clocks; nothing here asserts a time.
"""

import statistics
import time
import urllib.request
import uuid

import pytest
from django.core.exceptions import ValidationError

from callcenter import roles
from calls.models import AgentState, Call, QueueMember, State
from calls.phone.system import wait_until
from calls.services import agent_state_set
from tests.calls.conftest import (  # noqa: F401 - fixtures
    city_line,
    kamailio_asks,
    local_trunk,
    parties,
    phone_system,
    rtp_ports,
    worker_phone,
)
from tests.calls.phone.harness import PHONE_SECRET
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = 20


def summary(name, values):
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    print(
        f"{name:<48} n={len(values):<4} median {statistics.median(values):7.2f} ms"
        f"  p95 {p95:7.2f} ms  max {values[-1]:7.2f} ms"
    )


def make_available(user):
    try:
        agent_state_set(user=user, state=State.AVAILABLE)
    except ValidationError:
        return False
    return AgentState.objects.get(user=user).state == State.AVAILABLE


def setup_times(caller, callee, uri, calls, call_ids=None):
    times = []
    call_ids = [] if call_ids is None else call_ids
    for _ in range(calls):
        caller.call(uri)
        calling = caller.wait_for("calling", timeout=5)
        confirmed = caller.wait_for("confirmed", "disconnected", timeout=5)
        assert confirmed["event"] == "confirmed", confirmed
        times.append((confirmed["at"] - calling["at"]) * 1000)
        call_ids.append(calling["call_id"])
        caller.hangup()
        caller.wait_for("disconnected", timeout=5)
        callee.wait_for("disconnected", timeout=5)
    return times


def test_call_setup(parties, city_line, local_trunk, live_server):  # noqa: F811
    registrations = []
    for number in range(CALLS):
        party = parties(f"user{number}", register=True)
        ready = party.seen[-1]
        registered = party.wait_for("registered", timeout=5)
        registrations.append((registered["at"] - ready["at"]) * 1000)
        party.quit()
    summary("registration (with its 401 challenge)", registrations)

    user = user_with_role(roles.AGENT, username="agent")
    QueueMember.objects.create(queue=city_line, user=user, skill=3)
    agent = parties("agent", register=True, tone=440, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    caller = parties("caller", user="+4930123456", domain="pstn.example", tone=660)
    city_line.wrap_up_seconds = 0
    city_line.save()
    queue_times = []
    call_ids = []
    for _ in range(CALLS):
        # Once the last call's events are in (no wrap-up), the agent is available again.
        if call_ids:
            wait_until(
                lambda: Call.objects.filter(call_id=call_ids[-1], ended_at__isnull=False),
                timeout=10,
                message="the last call's end",
            )
        agent_state_set(user=user, state=State.AVAILABLE)
        queue_times += setup_times(caller, agent, "sip:311@127.0.0.1", 1, call_ids)
    summary("trunk to queue 311: INVITE to 200 OK", queue_times)

    desk = parties("desk", register=True, tone=440, auto_answer=True)
    colleague = parties("colleague", register=True, tone=660)
    desk.wait_for("registered", timeout=5)
    colleague.wait_for("registered", timeout=5)
    summary(
        "user to user: INVITE to 200 OK",
        setup_times(colleague, desk, "sip:desk@127.0.0.1", CALLS),
    )

    wait_until(lambda: make_available(user), timeout=10, message="agent free again")
    agent_state_set(user=user, state=State.OFFLINE)
    questions = []
    for _ in range(CALLS * 5):
        url = (
            f"{live_server.url}/calls/phone/route/?call_id={uuid.uuid4().hex}"
            "&from=%2B4930123456&to=311&source=127.0.0.1&attempt=1"
        )
        request = urllib.request.Request(url, headers={"X-Phone-Secret": PHONE_SECRET})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=5) as response:
            assert b'"wait"' in response.read()
        questions.append((time.perf_counter() - started) * 1000)
    summary("routing question over HTTP (answer: wait)", questions)
