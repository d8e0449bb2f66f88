"""Real calls through Kamailio and rtpengine on loopback: who may register and call, and who
hears whom (each party plays its own tone and records what it hears)."""

import pytest

from calls.phone.audio import heard
from calls.phone.system import wait_until
from tests.calls.phone.harness import AUTH_SECRET, ephemeral_credentials

pytestmark = pytest.mark.django_db(transaction=True)

# One and a half seconds of 8 kHz 16-bit audio after the WAV header.
HEARD_ENOUGH = 44 + int(1.5 * 8000 * 2)


def talk(*parties):
    """Waits until every party has recorded enough of the call, then ends the call and the
    parties (a recording is complete once its party has closed it)."""
    for party in parties:
        wait_until(
            lambda p=party: p.recording.exists() and p.recording.stat().st_size >= HEARD_ENOUGH,
            timeout=10,
            message=f"{party.name} recording the call",
        )
    parties[0].hangup()
    for party in parties:
        party.wait_for("disconnected", timeout=5)
        party.quit()  # all at once; close() below waits for each
    for party in parties:
        party.close()


def test_two_registered_users_hear_each_other(parties):
    agent = parties("agent", register=True, tone=440, auto_answer=True)
    colleague = parties("colleague", register=True, tone=660)
    agent.wait_for("registered", timeout=5)
    colleague.wait_for("registered", timeout=5)

    colleague.call("sip:agent@127.0.0.1")

    agent.wait_for("incoming", timeout=5)
    colleague.wait_for("confirmed", timeout=5)
    talk(colleague, agent)
    assert heard(agent.recording) == {660}
    assert heard(colleague.recording) == {440}


def test_a_user_without_valid_credentials_cannot_register(parties):
    forged = ephemeral_credentials("intruder", secret="not-" + AUTH_SECRET)
    intruder = parties("intruder", register=True, credentials=forged)
    assert intruder.wait_for("registration_failed", timeout=5)["code"] in (401, 403)

    guest = parties("guest", register=True, credentials=("guest", "guess"))
    assert guest.wait_for("registration_failed", timeout=5)["code"] in (401, 403)


def test_credentials_of_one_user_do_not_register_another(parties):
    someone_elses = ephemeral_credentials("agent")
    impostor = parties("impostor", register=True, credentials=someone_elses)
    assert impostor.wait_for("registration_failed", timeout=5)["code"] == 403


def test_a_user_who_does_not_prove_who_they_are_cannot_call_a_registered_user(parties):
    agent = parties("agent", register=True, tone=440, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    # Says it is the registered agent, from the same address, without credentials.
    pretender = parties("agent-pretender", user="agent", tone=660)

    pretender.call("sip:agent@127.0.0.1")

    refused = pretender.wait_for("disconnected", timeout=5)
    assert refused["code"] == 407
    assert not [event for event in agent.seen if event["event"] == "incoming"]
