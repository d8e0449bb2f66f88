"""Transfers: what an agent may transfer where (call_transfer_start, the softphone's
calls:call_transfer), how the phone system's call that carries out a transfer is let in and
routed (call_route), and the records of both calls. The same with real calls:
tests/calls/phone/test_transfers.py, and the browser's panel in test_softphone_browser.py."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from callcenter import roles
from calls.models import AgentState, Call, CallEvent, Outcome, Queue, State, Transfer
from calls.services import (
    TRANSFER_SECONDS,
    agent_state_set,
    call_event_record,
    call_route,
    call_transfer_start,
)
from tests.calls.conftest import available_agents
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

CALLER = "+4930123456"


@pytest.fixture
def permits(db):
    return Queue.objects.create(name="Permits", number="312")


def route(call_id="c1", to="311", from_number=CALLER, referred_by="", source="127.0.0.1"):
    return call_route(
        call_id=call_id,
        from_number=from_number,
        to_number=to,
        source=source,
        attempt=1,
        referred_by=referred_by,
    )


def record(event, at, call_id="c1", user="", to="311"):
    return call_event_record(
        call_id=call_id,
        event=event,
        at=at,
        from_number=CALLER,
        to_number=to,
        username=user,
        queue_name="City line" if to == "311" else "",
    )


@pytest.fixture
def on_a_call(city_line, local_trunk, phone_clock):
    """The city line's agent talking to a caller from the trunk (call "c1")."""
    (agent,) = available_agents(city_line, 1, phone_clock)
    route()
    record("answered", phone_clock.tick(2), user=agent.username)
    return agent


def colleague(username="berit", available=True):
    user = user_with_role(roles.AGENT, username=username)
    get_user_model().objects.filter(pk=user.pk).update(first_name="Berit", last_name="Berg")
    if available:
        agent_state_set(user=user, state=State.AVAILABLE)
    return user


def test_a_blind_transfer_to_a_queue_routes_the_callers_new_call_there(
    on_a_call, permits, phone_clock
):
    (target,) = available_agents(permits, 1, phone_clock)
    transfer = call_transfer_start(agent=on_a_call, call_id="c1", target=" 312 ")
    assert (transfer.target, transfer.attended) == ("312", False)

    # The caller's phone calls the queue on the REFER, naming who transferred it.
    answer = route(call_id="c2", to="312", referred_by=on_a_call.username)

    assert answer["action"] == "ring"
    assert answer["user"] == target.username
    assert answer["caller"] == CALLER
    new = Call.objects.get(call_id="c2")
    assert (new.queue, new.from_number, new.trunk) == (
        permits,
        CALLER,
        Call.objects.get(call_id="c1").trunk,
    )
    transfer.refresh_from_db()
    assert transfer.new_call == new
    first = Call.objects.get(call_id="c1")
    assert first.events.filter(event="transferred", username=on_a_call.username).count() == 1
    assert AgentState.objects.get(user=on_a_call).state == State.WRAP_UP

    # Asked again (a retransmission), the same agent and still one "transferred".
    assert route(call_id="c2", to="312", referred_by=on_a_call.username)["user"] == target.username
    assert CallEvent.objects.filter(event="transferred").count() == 1

    record("hangup", phone_clock.tick(1), user=on_a_call.username)
    record("answered", phone_clock.tick(3), call_id="c2", user=target.username, to="312")
    assert Call.objects.get(call_id="c1").outcome == Outcome.TRANSFERRED
    new.refresh_from_db()
    assert new.agent == target
    assert new.transferred_from == transfer


def test_a_blind_transfer_to_an_agent_by_name_rings_them(on_a_call, phone_clock):
    target = colleague()
    transfer = call_transfer_start(agent=on_a_call, call_id="c1", target="berit berg")
    assert transfer.target == "berit"
    # The caller's phone may not name the referrer: its number is enough.
    answer = route(call_id="c2", to="berit")
    assert answer == {
        "action": "agent",
        "user": "berit",
        "uri": "sip:berit@127.0.0.1",
        "caller": CALLER,
    }
    assert AgentState.objects.get(user=target).state == State.RINGING


def test_an_attended_transfer_goes_to_whoever_answered_the_consultation(on_a_call, phone_clock):
    target = colleague(available=False)  # on the consultation call, not available
    call_event_record(
        call_id="consult",
        event="answered",
        at=phone_clock.tick(5),
        from_number=on_a_call.username,
        to_number="berit",
        username="berit",
    )
    transfer = call_transfer_start(agent=on_a_call, call_id="c1", consult_call_id="consult")
    assert (transfer.target, transfer.attended) == ("berit", True)
    answer = route(call_id="c2", to="berit", referred_by=on_a_call.username)
    assert answer["action"] == "agent" and answer["user"] == target.username


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"call_id": "", "target": "312"}, "call_id", "You are on no call to transfer."),
        ({"call_id": "nope", "target": "312"}, "call_id", "You are on no call to transfer."),
        ({"call_id": "c1", "target": "  "}, "target", "Give the queue number or the agent"),
        ({"call_id": "c1", "target": "+49 30 999999"}, "target", "No outside line is configured"),
        ({"call_id": "c1", "target": "nobody"}, "target", "No queue number or agent is called"),
        ({"call_id": "c1", "target": "311-agent0"}, "target", "to yourself"),
        ({"call_id": "c1", "target": "busy"}, "target", "is not available now"),
        ({"call_id": "c1", "consult_call_id": "never"}, "consult_call_id", "over or was never"),
    ],
)
def test_what_cannot_be_transferred_is_refused_naming_the_field(
    on_a_call, permits, values, field, message
):
    colleague("busy", available=False)
    with pytest.raises(ValidationError) as refused:
        call_transfer_start(agent=on_a_call, **values)
    assert list(refused.value.error_dict) == [field]
    assert message in " ".join(refused.value.messages)
    assert not Transfer.objects.exists()


def test_only_the_agent_on_the_call_transfers_it(on_a_call, permits):
    other = colleague()
    with pytest.raises(ValidationError):
        call_transfer_start(agent=other, call_id="c1", target="312")


def test_a_consultation_nobody_answered_yet_cannot_be_completed(on_a_call, phone_clock):
    colleague()
    call_event_record(
        call_id="consult",
        event="ringing",
        at=phone_clock.tick(1),
        from_number=on_a_call.username,
        to_number="berit",
    )
    with pytest.raises(ValidationError, match="Nobody has answered"):
        call_transfer_start(agent=on_a_call, call_id="c1", consult_call_id="consult")


def test_without_a_transfer_an_outside_caller_still_reaches_no_agent(on_a_call, phone_clock):
    colleague()
    assert route(call_id="c2", to="berit")["code"] == 403
    # Nor once the transfer is too old, or from an address no trunk has.
    call_transfer_start(agent=on_a_call, call_id="c1", target="berit")
    assert route(call_id="c3", to="berit", source="198.51.100.7")["code"] == 403
    phone_clock.tick(TRANSFER_SECONDS + 1)
    assert route(call_id="c4", to="berit")["code"] == 403
    assert Transfer.objects.get().new_call is None


# The softphone's endpoint ----------------------------------------------------------------------


def test_the_softphone_gets_where_the_refer_goes(client, on_a_call, permits):
    client.force_login(on_a_call)
    response = client.post(reverse("calls:call_transfer"), {"call_id": "c1", "target": "312"})
    assert response.json() == {"refer_to": "sip:312@127.0.0.1"}
    assert Transfer.objects.get().target == "312"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"call_id": "c1"},
        {"call_id": "c1", "target": "\x00"},
        {"call_id": "x" * 300, "target": "312"},
        {"call_id": "c1", "target": "+4930999"},
    ],
)
def test_a_refused_transfer_is_a_clear_400_never_a_500(client, on_a_call, permits, data):
    client.force_login(on_a_call)
    response = client.post(reverse("calls:call_transfer"), data)
    assert response.status_code == 400
    assert response.json()["error"]
    assert response.json()["field"] in ("call_id", "target")
    assert not Transfer.objects.exists()


def test_who_takes_no_calls_transfers_nothing(client, on_a_call, permits):
    manager = user_with_role(roles.MANAGER)
    client.force_login(manager)
    response = client.post(reverse("calls:call_transfer"), {"call_id": "c1", "target": "312"})
    assert response.status_code in (403, 404)
    client.logout()
    response = client.post(reverse("calls:call_transfer"), {"call_id": "c1", "target": "312"})
    assert response.status_code == 302
    assert not Transfer.objects.exists()


def test_the_consultation_target_is_looked_up_by_name(client, on_a_call, permits):
    colleague()
    client.force_login(on_a_call)
    url = reverse("calls:call_transfer_target")
    assert client.get(url, {"target": "Berit Berg"}).json() == {"uri": "sip:berit@127.0.0.1"}
    assert client.get(url, {"target": "312"}).json() == {"uri": "sip:312@127.0.0.1"}
    refused = client.get(url, {"target": "0301234"})
    assert refused.status_code == 400
    assert "No outside line" in refused.json()["error"]


def test_the_calls_list_links_a_transferred_call_and_its_new_call(
    client, on_a_call, permits, phone_clock
):
    supervisor = user_with_role(roles.SUPERVISOR, username="boss")
    call_transfer_start(agent=on_a_call, call_id="c1", target="312")
    route(call_id="c2", to="312", referred_by=on_a_call.username)
    client.force_login(supervisor)
    page = client.get(reverse("calls:call_list")).content.decode()
    assert 'href="/calls/?call_id=c2">to 312</a>' in page
    assert f'href="/calls/?call_id=c1">transferred by {on_a_call.username}</a>' in page
