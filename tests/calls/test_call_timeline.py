"""A request's and a customer's timelines show their calls (requests_app.timeline, filled by
calls.timeline), with the recording for those who may hear it."""

import pytest

from callcenter import roles
from calls.models import CallRecording
from requests_app.services import customer_save, request_start_for_customer
from tests.calls.test_call_pages import answered
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return customer_save(values={"name": "Ada Lovelace"}, phones=["+4930123456"])


def recorded(call, phone_clock):
    CallRecording.objects.create(
        call=call,
        file_name=f"{call.call_id}.mp3",
        content_type="audio/mpeg",
        size=1000,
        seconds=95,
        recorded_at=phone_clock.now,
        delete_after=phone_clock.now,
    )
    return call


def test_a_request_shows_the_call_that_produced_it_with_its_recording(
    client, agent, ada, city_line, phone_clock
):
    call = recorded(answered("c1", agent, phone_clock.now), phone_clock)
    taken = request_start_for_customer(agent=agent, customer=ada)
    call.requests.add(taken)
    client.force_login(agent)
    page = client.get(taken.get_absolute_url()).content.decode()
    entry = entry_of(page, f"call-{call.pk}")
    assert "Incoming call" in entry and "Phone" in entry
    assert "+4930123456" in entry and "1:35" in entry
    assert f'href="/calls/{call.pk}/recording/"' in entry


def test_a_colleagues_call_stays_hidden_with_its_recording(
    client, agent, ada, city_line, phone_clock
):
    colleague = user_with_role(roles.AGENT, username="colleague")
    call = recorded(answered("c1", colleague, phone_clock.now), phone_clock)
    taken = request_start_for_customer(agent=agent, customer=ada)
    call.requests.add(taken)
    client.force_login(agent)
    page = client.get(taken.get_absolute_url()).content.decode()
    assert f'id="call-{call.pk}"' not in page
    assert f"/calls/{call.pk}/recording/" not in page
    assert f'id="started-{taken.pk}"' in page  # the rest of the timeline is there


def test_a_request_taken_without_a_call_has_no_call_entry(client, agent, ada):
    taken = request_start_for_customer(agent=agent, customer=ada)
    client.force_login(agent)
    page = client.get(taken.get_absolute_url()).content.decode()
    assert 'id="call-' not in page


def entry_of(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</article>", start)]


def test_a_customer_shows_the_calls_from_their_numbers_that_the_user_may_see(
    client, agent, supervisor, ada, city_line, phone_clock
):
    colleague = user_with_role(roles.AGENT, username="colleague")
    answered("mine", agent, phone_clock.now)
    answered("theirs", colleague, phone_clock.tick(600))
    answered("stranger", agent, phone_clock.tick(600), number="+4940999999")
    client.force_login(agent)
    page = client.get(ada.get_absolute_url()).content.decode()
    assert page.count("+4930123456") >= 1 and "+4940999999" not in page
    assert page.count("<dd>colleague</dd>") == 0  # a colleague's call is theirs to see
    assert "<dd>agent</dd>" in page
    assert "no request" in page  # calls from their numbers, linked to no request yet
    client.force_login(supervisor)
    page = client.get(ada.get_absolute_url()).content.decode()
    assert "<dd>colleague</dd>" in page and "<dd>agent</dd>" in page


def test_only_those_who_hear_recordings_get_the_link(
    client, agent, supervisor, manager, city_line, phone_clock
):
    call = recorded(answered("c1", agent, phone_clock.now), phone_clock)
    link = f'href="/calls/{call.pk}/recording/"'
    for user, hears in [(agent, True), (supervisor, True), (manager, False)]:
        client.force_login(user)
        assert (link in client.get("/calls/").content.decode()) is hears, user
