"""When Kamailio gets no answer from the application, a call still goes somewhere: to the media
service, which plays music and asks the application itself until it answers. (The call's events
are lost while Kamailio cannot reach the application.)"""

import pytest

from calls.models import Call, EventKind, State
from calls.phone.audio import heard
from calls.services import agent_state_set
from tests.calls.phone.harness import free_port
from tests.calls.phone.test_calls import talk
from tests.calls.phone.test_queue_calls import agent_of, caller

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kamailio_asks():
    """An address where no application answers."""
    return f"http://127.0.0.1:{free_port(set())}"


def test_without_an_answer_from_the_application_the_call_waits_with_the_media_service(
    parties, city_line, local_trunk, media_service
):
    user = agent_of(city_line, "311-agent")
    agent_state_set(user=user, state=State.OFFLINE)
    agent = parties("311-agent", register=True, tone=440, auto_answer=True)
    agent.wait_for("registered", timeout=5)
    customer = caller(parties)

    customer.call("sip:311@127.0.0.1")

    call_id = customer.wait_for("calling")["call_id"]
    music_from = customer.wait_for("media", timeout=10)["at"]
    agent_state_set(user=user, state=State.AVAILABLE)
    agent.wait_for("incoming", timeout=10)
    joined = agent.wait_for("confirmed", timeout=5)["at"] - music_from
    talk(customer, agent)
    assert heard(agent.recording) == {660}
    assert heard(customer.recording, skip_seconds=joined + 0.5) == {440}
    # The media service's questions reached the application (Kamailio's events could not).
    call = Call.objects.get(call_id=call_id)
    assert call.events.filter(event=EventKind.RESERVED, username="311-agent").exists()
