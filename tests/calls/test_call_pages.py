"""The Calls list and the Callbacks list."""

from datetime import timedelta

import pytest
from django.urls import reverse

from callcenter import roles
from calls.models import Call, Callback, CallbackStatus, QueueMember
from calls.services import call_event_record, callback_create
from requests_app.services import request_start
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

CALLS = reverse("calls:call_list")
CALLBACKS = reverse("calls:callback_list")


def answered(call_id, agent, start, *, number="+4930123456", talk=95):
    for event, at in [("answered", start), ("hangup", start + timedelta(seconds=talk))]:
        call_event_record(
            call_id=call_id,
            event=event,
            at=at,
            from_number=number,
            to_number="311",
            username=agent.username,
            queue_name="City line",
        )
    return Call.objects.get(call_id=call_id)


@pytest.fixture
def calls(city_line, agent, phone_clock):
    colleague = user_with_role(roles.AGENT, username="colleague")
    mine = answered("mine", agent, phone_clock.now)
    theirs = answered("theirs", colleague, phone_clock.tick(300), number="+4940999999")
    return {"mine": mine, "theirs": theirs, "colleague": colleague}


def test_an_agent_sees_the_calls_they_took(client, agent, calls):
    linked = request_start(agent=agent)
    calls["mine"].requests.add(linked)
    client.force_login(agent)
    page = client.get(CALLS).content.decode()
    assert "+4930123456" in page
    assert "+4940999999" not in page
    assert "1:35" in page  # talk time
    assert linked.number in page
    assert "Answered" in page


def test_supervisors_and_managers_see_every_call(client, supervisor, manager, calls):
    for user in (supervisor, manager):
        client.force_login(user)
        page = client.get(CALLS).content.decode()
        assert "+4930123456" in page and "+4940999999" in page


def test_the_list_filters_by_number_however_typed_and_by_agent(client, supervisor, calls):
    client.force_login(supervisor)
    page = client.get(CALLS, {"number": "030 123456"}).content.decode()
    assert "+4930123456" in page and "+4940999999" not in page
    page = client.get(CALLS, {"agent": "COLLEAGUE"}).content.decode()
    assert "+4940999999" in page and "+4930123456" not in page
    page = client.get(CALLS, {"outcome": "abandoned"}).content.decode()
    assert "No call matches these filters." in page
    page = client.get(CALLS, {"call_id": "mine"}).content.decode()
    assert "+4930123456" in page and "+4940999999" not in page
    # Whole local days: the calls were offered on 1 December.
    page = client.get(CALLS, {"offered_from": "2026-12-01", "offered_to": "2026-12-01"})
    assert "+4930123456" in page.content.decode()
    assert "No call matches" in client.get(CALLS, {"offered_from": "2026-12-02"}).content.decode()
    assert "No call matches" in client.get(CALLS, {"offered_to": "2026-11-30"}).content.decode()


def test_over_htmx_the_list_answers_with_its_results(client, supervisor, calls):
    client.force_login(supervisor)
    response = client.get(CALLS, {"number": "+4930123456"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="results"' in body


def test_those_without_calls_cannot_see_them(client, outsider, administrator, calls):
    for user in (outsider, administrator):
        client.force_login(user)
        assert client.get(CALLS).status_code == 403
        assert client.get(CALLBACKS).status_code == 403
    client.logout()
    assert client.get(CALLS).status_code == 302


def test_the_navigation_offers_calls_and_callbacks(client, agent, manager):
    client.force_login(agent)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{CALLS}"' in page and f'href="{CALLBACKS}"' in page
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{CALLS}"' in page and f'href="{CALLBACKS}"' not in page


# Callbacks -----------------------------------------------------------------------------------


@pytest.fixture
def water(db):
    from calls.models import Queue

    return Queue.objects.create(name="Water", number="312")


def test_an_agent_sees_the_callbacks_of_their_queues_and_marks_one_done(
    client, agent, city_line, water, phone_clock
):
    QueueMember.objects.create(queue=city_line, user=agent)
    owed = callback_create(queue=city_line, number="+4930123456")
    other = callback_create(queue=water, number="+4940999999")
    client.force_login(agent)
    page = client.get(CALLBACKS).content.decode()
    assert "+4930123456" in page and "+4940999999" not in page
    response = client.post(
        reverse("calls:callback_done", args=[owed.pk]), {"note": "Pickup is on Monday."}
    )
    assert response.status_code == 302
    owed.refresh_from_db()
    assert (owed.status, owed.done_by, owed.note) == (
        CallbackStatus.DONE,
        agent,
        "Pickup is on Monday.",
    )
    page = client.get(CALLBACKS).content.decode()
    assert "The callback to +4930123456 is done." in page
    assert "<td>+4930123456</td>" not in page
    # Another queue's callback is not theirs to close.
    response = client.post(reverse("calls:callback_done", args=[other.pk]))
    assert response.status_code == 404
    assert Callback.objects.get(pk=other.pk).status == CallbackStatus.OPEN


def test_a_supervisor_sees_every_callback(client, supervisor, city_line, water):
    callback_create(queue=water, number="+4940999999")
    client.force_login(supervisor)
    assert "+4940999999" in client.get(CALLBACKS).content.decode()


def test_a_callback_done_twice_says_who_did_it(client, agent, supervisor, city_line):
    owed = callback_create(queue=city_line, number="+4930123456")
    client.force_login(supervisor)
    client.post(reverse("calls:callback_done", args=[owed.pk]))
    response = client.post(reverse("calls:callback_done", args=[owed.pk]), follow=True)
    assert "supervisor already called back." in response.content.decode()


def test_a_note_with_a_nul_or_too_long_is_refused(client, supervisor, city_line):
    owed = callback_create(queue=city_line, number="+4930123456")
    client.force_login(supervisor)
    for note in ["a\x00b", "x" * 10_001]:
        response = client.post(reverse("calls:callback_done", args=[owed.pk]), {"note": note})
        assert response.status_code == 302
    assert Callback.objects.get(pk=owed.pk).status == CallbackStatus.OPEN
