"""When Kamailio gets no answer from the application, a call still goes somewhere: to the media
service, which plays music and asks the application itself until it answers. The call's events
wait in Kamailio until the application is back."""

import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from calls.models import Call, EventKind, State
from calls.phone.audio import heard
from calls.phone.system import wait_until
from calls.services import agent_state_set
from tests.calls.phone.harness import free_port
from tests.calls.phone.test_calls import talk
from tests.calls.phone.test_queue_calls import agent_of, caller

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def away_port():
    return free_port(set())


@pytest.fixture
def kamailio_asks(away_port):
    """An address where no application answers (until the test puts it there)."""
    return f"http://127.0.0.1:{away_port}"


@pytest.fixture
def bring_back(away_port, live_server):
    """bring_back() makes the application answer at Kamailio's address again: a plain HTTP
    relay from there to the live server."""
    servers = []

    class Relay(BaseHTTPRequestHandler):
        def relay(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = urllib.request.Request(
                live_server.url + self.path,
                data=body if self.command == "POST" else None,
                headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                method=self.command,
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    status, content = answer.status, answer.read()
            except urllib.error.HTTPError as error:
                status, content = error.code, error.read()
            self.send_response(status)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = relay

    def bring_back():
        server = ThreadingHTTPServer(("127.0.0.1", away_port), Relay)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)

    yield bring_back
    for server in servers:
        server.shutdown()
        server.server_close()


def test_without_an_answer_from_the_application_the_call_waits_with_the_media_service(
    parties, city_line, local_trunk, media_service, bring_back
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
    # The media service's questions reached the application; Kamailio's events could not.
    call = Call.objects.get(call_id=call_id)
    assert call.events.filter(event=EventKind.RESERVED, username="311-agent").exists()
    assert not call.events.filter(event=EventKind.HANGUP).exists()

    # Away longer than Kamailio's quick retries (1.5 s), then back: the application gets the
    # events Kamailio kept, and the call's record is whole.
    time.sleep(3)
    bring_back()
    wait_until(
        lambda: call.events.filter(event=EventKind.HANGUP).exists(),
        timeout=10,
        message="the kept events reaching the application",
    )
    call.refresh_from_db()
    assert call.ended_at is not None
