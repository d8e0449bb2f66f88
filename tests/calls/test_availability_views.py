"""The availability control in the page header (calls.views.availability_set)."""

import pytest
from django.urls import reverse

from calls.models import AgentState, PauseReason, QueueMember, State
from calls.services import call_event_record, call_route, missed_call_reason

pytestmark = pytest.mark.django_db

URL = reverse("calls:availability_set")


@pytest.fixture
def reasons(db):
    return {name: PauseReason.objects.create(name=name) for name in ["Break", "Training"]}


def state_of(user) -> AgentState:
    return AgentState.objects.select_related("pause_reason").get(user=user)


def test_the_header_shows_an_agent_their_availability_and_the_choices(client, agent, reasons):
    client.force_login(agent)
    page = client.get(reverse("requests_app:request_list")).content.decode()
    assert 'id="availability"' in page
    assert "Offline" in page
    assert 'name="state" value="available"' in page
    assert 'aria-keyshortcuts="Alt+R"' in page
    assert f'name="pause" value="{reasons["Break"].pk}"' in page
    assert "Become available for calls" in page  # in the shortcuts panel


def test_those_who_take_no_calls_have_no_control(client, manager, administrator):
    for user in (manager, administrator):
        client.force_login(user)
        assert 'id="availability"' not in client.get(reverse("dashboard")).content.decode()
        assert client.post(URL, {"state": "available"}).status_code == 403
    assert not AgentState.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.post(URL, {"state": "available"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_one_click_makes_the_agent_available_and_brings_the_page_back(client, agent, reasons):
    client.force_login(agent)
    response = client.post(URL, {"state": "available", "next": "/requests/?status=open"})
    assert response.status_code == 302
    assert response["Location"] == "/requests/?status=open"
    assert state_of(agent).state == State.AVAILABLE


def test_a_pause_takes_its_reason_in_the_same_click(client, agent, reasons):
    client.force_login(agent)
    client.post(URL, {"pause": reasons["Training"].pk})
    state = state_of(agent)
    assert (state.state, state.pause_reason) == (State.PAUSED, reasons["Training"])


def test_over_htmx_the_control_answers_with_itself(client, agent, reasons):
    client.force_login(agent)
    response = client.post(
        URL,
        {"state": "offline"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/requests/",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="availability"')
    assert 'name="next" value="/requests/"' in body
    assert state_of(agent).state == State.OFFLINE
    # Its GET draws it too, for a page that refreshes it.
    assert 'id="availability"' in client.get(URL, HTTP_HX_REQUEST="true").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"state": "on_call"},
        {"state": "paused"},
        {"state": "\x00"},
        {"pause": ""},
        {"pause": "0"},
        {"pause": "99999999999999999999999"},
        {"pause": "abc"},
    ],
)
def test_what_is_no_choice_changes_nothing(client, agent, reasons, data):
    client.force_login(agent)
    response = client.post(URL, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not AgentState.objects.exists()
    response = client.post(URL, data)
    assert response.status_code == 302


def test_retired_and_system_reasons_cannot_be_chosen(client, agent, reasons):
    retired = PauseReason.objects.create(name="Smoking", active=False)
    missed = missed_call_reason()
    client.force_login(agent)
    for reason in (retired, missed):
        client.post(URL, {"pause": reason.pk})
    assert not AgentState.objects.exists()


def test_an_unsafe_next_address_goes_home(client, agent):
    client.force_login(agent)
    response = client.post(URL, {"state": "available", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_on_a_call_the_choices_are_off(client, agent, city_line, local_trunk, phone_clock):
    QueueMember.objects.create(queue=city_line, user=agent)
    client.force_login(agent)
    client.post(URL, {"state": "available"})
    call_route(call_id="c1", from_number="+491", to_number="311", source="127.0.0.1", attempt=1)
    call_event_record(call_id="c1", event="answered", at=phone_clock.now, username="agent")
    response = client.post(URL, {"state": "offline"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "You are on a call" in body
    assert "On a call" in body
    assert " disabled" in body
    assert state_of(agent).state == State.ON_CALL


def test_an_agent_in_wrap_up_takes_more_time_with_one_click(
    client, agent, city_line, local_trunk, phone_clock
):
    QueueMember.objects.create(queue=city_line, user=agent)
    client.force_login(agent)
    client.post(URL, {"state": "available"})
    call_route(call_id="c1", from_number="+491", to_number="311", source="127.0.0.1", attempt=1)
    call_event_record(call_id="c1", event="answered", at=phone_clock.now, username="agent")
    call_event_record(call_id="c1", event="hangup", at=phone_clock.tick(60), username="agent")
    before = state_of(agent).until
    response = client.post(URL, {"extend": "30"}, HTTP_HX_REQUEST="true")
    assert "30 seconds more wrap-up" in response.content.decode()
    assert (state_of(agent).until - before).total_seconds() == 30
    for wrong in ["0", "-5", "abc", "99999"]:
        response = client.post(URL, {"extend": wrong}, HTTP_HX_REQUEST="true")
        assert 'role="alert"' in response.content.decode()
    assert (state_of(agent).until - before).total_seconds() == 30
