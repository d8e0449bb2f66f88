"""Click to call: the "Call" links of a customer's page, a request's page and the callbacks, and
the record of the call the softphone dials (call_dial_record, calls:call_dial): outbound, the
agent's, linked to where it was started, the same whatever order the phone system's word and the
softphone's come in. With real calls: test_softphone_browser.py."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from callcenter import roles
from calls.models import Call, Callback, Outcome
from calls.services import call_dial_record, call_event_record, call_route
from requests_app.services import request_start_for_customer
from tests.factories import customer_with_phone, user_with_role

pytestmark = pytest.mark.django_db

NUMBER = "+4930123456"


@pytest.fixture
def customer(db):
    return customer_with_phone(NUMBER, name="Ada Lovelace")


def events(agent, clock, call_id="out"):
    """What Kamailio reports of the agent's call to a phone registered as NUMBER."""
    for event, seconds in (("offered", 0), ("ringing", 1), ("answered", 4), ("hangup", 60)):
        call_event_record(
            call_id=call_id,
            event=event,
            at=clock.tick(seconds),
            from_number=agent.username,
            to_number=NUMBER,
            username=NUMBER if event == "answered" else "",
        )


def test_a_dialled_call_is_the_agents_outbound_call_with_its_customer(agent, customer, phone_clock):
    started = phone_clock.now
    call = call_dial_record(agent=agent, call_id="out", number=NUMBER, customer=customer)
    assert (call.direction, call.agent, call.customer) == ("outbound", agent, customer)
    events(agent, phone_clock)
    call.refresh_from_db()
    assert (call.direction, call.agent, call.customer) == ("outbound", agent, customer)
    assert call.outcome == Outcome.ANSWERED
    assert call.offered_at == started
    assert (call.answered_at - started).total_seconds() == 5
    assert call.talk_seconds == 60


def test_the_phone_systems_word_may_come_first(agent, customer, phone_clock):
    events(agent, phone_clock)
    request = request_start_for_customer(agent=agent, customer=customer)
    call = call_dial_record(agent=agent, call_id="out", number=NUMBER, request=request)
    call_dial_record(agent=agent, call_id="out", number=NUMBER, request=request)  # again
    assert Call.objects.count() == 1
    assert (call.direction, call.agent, call.customer) == ("outbound", agent, customer)
    assert list(call.requests.all()) == [request]
    assert call.outcome == Outcome.ANSWERED


@pytest.mark.parametrize(
    ("number", "call_id", "field"),
    [
        ("", "out", "number"),
        ("  ", "out", "number"),
        ("030 123", "out", "number"),
        (NUMBER, "", "call_id"),
    ],
)
def test_what_cannot_be_dialled_is_refused_naming_the_field(agent, number, call_id, field):
    with pytest.raises(ValidationError) as refused:
        call_dial_record(agent=agent, call_id=call_id, number=number)
    assert list(refused.value.error_dict) == [field]
    assert not Call.objects.exists()


def test_someone_elses_call_is_not_claimed(agent, phone_clock):
    other = user_with_role(roles.AGENT, username="other")
    call_dial_record(agent=other, call_id="out", number=NUMBER)
    with pytest.raises(ValidationError):
        call_dial_record(agent=agent, call_id="out", number=NUMBER)
    assert Call.objects.get().agent == other


def test_an_outside_number_fails_without_an_outside_line(agent, phone_clock):
    call_dial_record(agent=agent, call_id="out", number="+4930999888")
    answer = call_route(
        call_id="out",
        from_number=agent.username,
        to_number="+4930999888",
        source="127.0.0.1",
        attempt=1,
        authenticated=True,
    )
    assert answer == {"action": "reject", "code": 404, "reason": "No outside line"}
    call = Call.objects.get()
    assert (call.direction, call.outcome, call.agent) == ("outbound", Outcome.FAILED, agent)
    assert call.ended_at is not None


def test_the_softphone_records_its_call(client, agent, customer):
    client.force_login(agent)
    response = client.post(
        reverse("calls:call_dial"), {"call_id": "out", "number": NUMBER, "customer": customer.pk}
    )
    assert response.status_code == 200
    assert Call.objects.get(pk=response.json()["call"]).customer == customer


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"call_id": "out", "number": ""}, 400),
        ({"call_id": "out"}, 400),
        ({"call_id": "out\x00", "number": NUMBER}, 400),
        ({"call_id": "out", "number": NUMBER, "customer": "999999"}, 404),
        ({"call_id": "out", "number": NUMBER, "request": "abc"}, 404),
        ({"call_id": "out", "number": NUMBER, "callback": "99999999999999999999"}, 404),
    ],
)
def test_bad_dial_input_is_a_clear_error_never_a_500(client, agent, data, status):
    client.force_login(agent)
    response = client.post(reverse("calls:call_dial"), data)
    assert response.status_code == status
    if status == 400:
        assert response.json()["error"]
    assert not Call.objects.exists()


def test_a_customers_page_has_a_call_link_for_those_who_take_calls(client, agent, customer):
    client.force_login(agent)
    page = client.get(reverse("requests_app:customer_detail", args=[customer.pk])).content.decode()
    assert f'data-dial="{NUMBER}"' in page
    assert f'data-dial-customer="{customer.pk}"' in page
    assert f'href="tel:{NUMBER}"' in page


def test_a_requests_page_calls_with_the_request(client, agent, customer):
    request = request_start_for_customer(agent=agent, customer=customer)
    client.force_login(agent)
    page = client.get(reverse("requests_app:request_edit", args=[request.pk])).content.decode()
    assert f'data-dial-request="{request.pk}"' in page


def test_the_callbacks_page_calls_back_from_the_softphone(client, agent, city_line, phone_clock):
    city_line.members.create(user=agent, skill=3)
    callback = Callback.objects.create(
        queue=city_line, number="+4930555", called_at=phone_clock.now
    )
    client.force_login(agent)
    page = client.get(reverse("calls:callback_list")).content.decode()
    assert 'data-dial="+4930555"' in page
    assert f'data-dial-callback="{callback.pk}"' in page


def test_a_call_back_is_kept_on_the_callback_with_its_outcome(
    client, agent, city_line, phone_clock
):
    city_line.members.create(user=agent, skill=3)
    callback = Callback.objects.create(queue=city_line, number=NUMBER, called_at=phone_clock.now)
    client.force_login(agent)
    data = {"call_id": "out", "number": NUMBER, "callback": callback.pk}
    assert client.post(reverse("calls:call_dial"), data).status_code == 200
    events(agent, phone_clock)
    assert list(callback.calls_back.all()) == [Call.objects.get(call_id="out")]
    page = client.get(reverse("calls:callback_list")).content.decode()
    assert f"by {agent.username}: Answered" in page


def test_a_callback_of_a_queue_one_does_not_answer_cannot_be_claimed(
    client, agent, city_line, phone_clock
):
    callback = Callback.objects.create(queue=city_line, number=NUMBER, called_at=phone_clock.now)
    client.force_login(agent)  # not a member of the city line
    data = {"call_id": "out", "number": NUMBER, "callback": callback.pk}
    assert client.post(reverse("calls:call_dial"), data).status_code == 404
    assert not Call.objects.exists()


def test_who_takes_no_calls_gets_no_call_link(client, customer):
    client.force_login(user_with_role(roles.MANAGER))
    response = client.get(reverse("requests_app:customer_detail", args=[customer.pk]))
    assert "data-dial" not in response.content.decode()
