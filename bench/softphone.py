"""The browser softphone's figures through the real phone system on loopback (Kamailio, rtpengine,
a pjsua2 caller) against the application on pytest-django's live server, in headless Chromium with
a fake microphone, with the softphone browser test's fixtures:

    [SOFTPHONE_CALLS=10] DEBUG=true .venv/bin/pytest -q -s -p no:cacheprovider bench/softphone.py

Prints median, p95 and max of: the registration (WebSocket opened to REGISTER's 200 OK), the
softphone ready after a page load (its script started to registered, JsSIP's loading after the
page included), a queue call's INVITE (sent by the caller) to "Incoming call from …" on screen,
and to the customer found by the number on screen. The caller's and the page's clocks are the
same machine's. Nothing here asserts a time.
"""

import os
import statistics

import pytest
from _pytest.fixtures import FixtureFunctionDefinition
from playwright.sync_api import expect

from calls.models import Call, State
from calls.phone.system import wait_until
from calls.services import agent_state_set
from tests.calls import conftest as calls_fixtures
from tests.calls import test_softphone_browser as softphone_test
from tests.calls.test_softphone_browser import CALLER, CALLER_TONE, signed_in_agent

pytestmark = pytest.mark.django_db(transaction=True)

# The softphone test's fixtures (and through it the phone tests' harness), and the city line's.
globals().update(
    (name, value)
    for module in (softphone_test, calls_fixtures)
    for name, value in vars(module).items()
    if isinstance(value, FixtureFunctionDefinition)
)


CALLS = int(os.environ.get("SOFTPHONE_CALLS", "10"))


def summary(name, values):
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    print(
        f"{name:<48} n={len(values):>3}  median {statistics.median(values):7.1f} ms  "
        f"p95 {p95:7.1f} ms  max {values[-1]:7.1f} ms"
    )


def test_softphone_figures(softphone_page, parties, city_line, local_trunk, live_server):
    page = softphone_page
    agent, phone = signed_in_agent(page, city_line, live_server)
    register, ready = [], []
    for _ in range(CALLS):
        page.reload()
        expect(phone).to_have_attribute("data-state", "ready", timeout=10_000)
        register.append(float(phone.get_attribute("data-register-ms")))
        ready.append(float(phone.get_attribute("data-registered-ms")))

    rung, popped = [], []
    caller = parties("caller", user=CALLER, domain="pstn.example", tone=CALLER_TONE)
    for _ in range(CALLS):
        agent_state_set(user=agent, state=State.AVAILABLE)
        caller.call("sip:311@127.0.0.1")
        calling = caller.wait_for("calling")
        dialled_at = calling["at"]
        expect(phone.locator("[data-softphone-pop]")).to_contain_text("Ada Lovelace")
        rung.append(1000 * (int(phone.get_attribute("data-ringing-at")) / 1000 - dialled_at))
        popped.append(1000 * (int(phone.get_attribute("data-pop-shown-at")) / 1000 - dialled_at))
        caller.hangup()
        caller.wait_for("disconnected", timeout=10)
        expect(phone).to_have_attribute("data-state", "ready")
        # The call's end reaches the application before the next call.
        wait_until(
            lambda c=calling["call_id"]: Call.objects.filter(call_id=c, ended_at__isnull=False),
            timeout=10,
            message="the call's record ended",
        )

    print()
    summary("registration (WebSocket to 200 OK)", register)
    summary("page load to registered (JsSIP loaded after it)", ready)
    summary("caller's INVITE to ringing on screen", rung)
    summary("caller's INVITE to the customer on screen", popped)
