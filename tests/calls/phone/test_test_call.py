"""manage.py test_call: the simulated caller a newcomer takes a first call from, through the
real phone system into the city line."""

import io

import pytest
from django.core.management import call_command

from calls.phone.audio import heard
from tests.calls.phone.test_queue_calls import agent_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_simulated_caller_reaches_the_agent_and_plays_its_tone(parties, city_line, local_trunk):
    agent_of(city_line, "311-agent")
    agent = parties("311-agent", register=True, tone=440, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    said = io.StringIO()

    call_command("test_call", "--from", "+4930123456", "--to", "311", "--seconds", "2", stdout=said)

    assert "Hanging up after 2 s." in said.getvalue()
    assert said.getvalue().count("Hanging up") == 1
    assert "The call ended after" in said.getvalue()
    agent.wait_for("disconnected", timeout=5)
    agent.close()  # its recording is complete once it is closed
    assert heard(agent.recording) == {660}
