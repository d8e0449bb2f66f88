"""The caller on the agent's screen while the phone rings, and the request answering opens."""

import pytest
from django.urls import reverse

from callcenter import roles
from calls.models import Call, QueueMember
from calls.services import agent_state_set, call_route
from requests_app.models import Channel, Customer, CustomerRequest, Status
from requests_app.services import request_save, request_start
from tests.factories import customer_with_phone, user_with_role

pytestmark = pytest.mark.django_db

POP = reverse("calls:call_pop")
ANSWER = reverse("calls:call_answer")


@pytest.fixture
def ringing(city_line, local_trunk, agent, phone_clock):
    """A call from +49 30 123456 ringing the agent."""
    QueueMember.objects.create(queue=city_line, user=agent)
    agent_state_set(user=agent, state="available")
    answer = call_route(
        call_id="pop-1", from_number="+4930123456", to_number="311", source="127.0.0.1", attempt=1
    )
    assert answer["user"] == "agent"
    return Call.objects.get(call_id="pop-1")


def test_the_ringing_agent_sees_the_known_caller_with_open_requests_first(client, agent, ringing):
    erika = customer_with_phone("+4930123456", name="Erika Maier")
    closed = request_start(agent=agent)
    request_save(
        request=closed,
        values={"customer": erika, "request_type": "comment", "comment": "Thanks"},
        expected_version=closed.version,
        user=agent,
    )
    still_open = request_start(agent=agent)
    request_save(
        request=still_open,
        values={"customer": erika, "description": "Bin not emptied"},
        expected_version=still_open.version,
        user=agent,
    )
    client.force_login(agent)
    response = client.get(POP, {"call_id": "pop-1"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Call from +4930123456" in body
    assert "Queue: City line" in body
    assert "Erika Maier" in body
    assert body.index(still_open.number) < body.index(closed.number)
    assert "<html" in client.get(POP, {"call_id": "pop-1"}).content.decode()


def test_an_unknown_number_says_a_customer_will_be_made(client, agent, ringing):
    client.force_login(agent)
    body = client.get(POP, {"call_id": "pop-1"}).content.decode()
    assert "No customer has this number yet" in body


def test_answering_opens_a_phone_request_for_the_known_caller_linked_to_the_call(
    client, agent, ringing
):
    erika = customer_with_phone("+4930123456", name="Erika Maier")
    client.force_login(agent)
    response = client.post(ANSWER, {"call_id": "pop-1"})
    started = CustomerRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == started.get_absolute_url()
    assert (started.channel, started.caller_phone, started.customer, started.status) == (
        Channel.PHONE,
        "+4930123456",
        erika,
        Status.OPEN,
    )
    assert list(ringing.requests.all()) == [started]
    # Again (a reload, a second click): the same request.
    client.post(ANSWER, {"call_id": "pop-1"})
    assert CustomerRequest.objects.count() == 1


def test_an_unknown_caller_becomes_a_new_customer(client, agent, ringing):
    client.force_login(agent)
    client.post(ANSWER, {"call_id": "pop-1"}, HTTP_HX_REQUEST="true")
    started = CustomerRequest.objects.get()
    assert started.customer == Customer.objects.get()
    assert started.customer.phones.get().number == "+4930123456"


def test_a_number_several_customers_share_leaves_the_choice_to_the_agent(client, agent, ringing):
    customer_with_phone("+4930123456", name="Erika Maier")
    customer_with_phone("+4930123456", name="Hans Maier")
    client.force_login(agent)
    response = client.post(ANSWER, {"call_id": "pop-1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    started = CustomerRequest.objects.get()
    assert response["HX-Redirect"] == started.get_absolute_url()
    assert started.customer is None
    assert list(ringing.requests.all()) == [started]


def test_other_agents_and_other_roles_see_nothing_of_the_call(client, manager, outsider, ringing):
    colleague = user_with_role(roles.AGENT, username="colleague")
    client.force_login(colleague)
    assert client.get(POP, {"call_id": "pop-1"}).status_code == 404
    assert client.post(ANSWER, {"call_id": "pop-1"}).status_code == 404
    for user in (manager, outsider):
        client.force_login(user)
        assert client.get(POP, {"call_id": "pop-1"}).status_code == 403
    assert not CustomerRequest.objects.exists()


@pytest.mark.parametrize("call_id", [None, "", "nope", "x" * 300, "pop-1\x00"])
def test_a_call_id_no_call_of_theirs_has_is_not_found(client, agent, ringing, call_id):
    client.force_login(agent)
    data = {} if call_id is None else {"call_id": call_id}
    assert client.get(POP, data).status_code == 404
    assert client.post(ANSWER, data).status_code == 404
