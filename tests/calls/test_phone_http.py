"""The phone system's side of the application over HTTP: the routing question, the events and
the browser phone's credentials, through the test client and once each over a real socket."""

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request

import pytest
from django.test import override_settings
from django.urls import reverse

from calls.models import Call, CallEvent
from tests.calls.conftest import available_agents

SECRET = {"HTTP_X_PHONE_SECRET": "test-phone-secret"}
ROUTE = {
    "call_id": "a84b4c76e66710@pc33",
    "from": "+4930123456",
    "to": "311",
    "source": "127.0.0.1",
    "attempt": "1",
}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("phone_secrets"),
]


@pytest.fixture
def phone_secrets():
    with override_settings(PHONE_SECRET="test-phone-secret", PHONE_AUTH_SECRET="test-auth"):
        yield


def event(**values):
    return {
        "call_id": "a84b4c76e66710@pc33",
        "event": "offered",
        "at": 1_796_115_600.25,
        "from": "+4930123456",
        "to": "311",
        "user": "",
        "code": 0,
        "queue": "City line",
        **values,
    }


def post_event(client, body, headers=SECRET):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(
        reverse("calls:phone_events"),
        data=data,
        content_type="application/json",
        **headers,
    )


# The routing question ----------------------------------------------------------------------


def test_the_phone_system_is_told_which_agent_to_ring(client, city_line, local_trunk, phone_clock):
    (user,) = available_agents(city_line, 1, phone_clock)
    response = client.get(reverse("calls:phone_route"), ROUTE, **SECRET)
    assert response.status_code == 200
    assert response.json() == {
        "action": "ring",
        "user": user.username,
        "uri": f"sip:{user.username}@127.0.0.1",
        "ring_seconds": 20,
        "record": True,
        "queue": "City line",
    }


@pytest.mark.parametrize("secret", [None, "", "wrong", "test-phone-secret "])
def test_without_the_secret_nothing_is_answered(client, city_line, local_trunk, secret):
    headers = {} if secret is None else {"HTTP_X_PHONE_SECRET": secret}
    response = client.get(reverse("calls:phone_route"), ROUTE, **headers)
    assert response.status_code == 403
    assert "error" in response.json()
    assert post_event(client, event(), headers).status_code == 403
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("call_id", None),
        ("call_id", ""),
        ("call_id", "x" * 256),
        ("call_id", "abc\x00def"),
        ("to", None),
        ("to", "3" * 65),
        ("from", "\x1b[31m"),
        ("source", None),
        ("source", "localhost"),
        ("source", "999.1.1.1"),
        ("attempt", None),
        ("attempt", "0"),
        ("attempt", "-1"),
        ("attempt", "1.5"),
        ("attempt", "٣"),
        ("attempt", "99999999999999999999999999"),
        ("attempt", "1001"),
        ("authenticated", "2"),
        ("authenticated", "yes"),
    ],
)
def test_a_bad_routing_question_is_refused_naming_the_parameter(
    client, city_line, local_trunk, parameter, value
):
    query = {**ROUTE, parameter: value}
    if value is None:
        del query[parameter]
    response = client.get(reverse("calls:phone_route"), query, **SECRET)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert response.json()["error"].startswith(parameter)
    assert not Call.objects.exists()


def test_the_routing_question_is_a_get(client):
    response = client.post(reverse("calls:phone_route"), ROUTE, **SECRET)
    assert response.status_code == 405


# Events --------------------------------------------------------------------------------------


def test_an_event_is_kept_once(client, city_line, phone_clock):
    for _ in range(2):
        response = post_event(client, event())
        assert response.status_code == 204
    call = Call.objects.get()
    assert (call.call_id, call.queue, call.from_number) == (
        "a84b4c76e66710@pc33",
        city_line,
        "+4930123456",
    )
    assert call.offered_at.timestamp() == 1_796_115_600.25
    assert CallEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        (b"", "body"),
        (b"not json", "body"),
        (b"\xff\xfe", "body"),
        (b"[1, 2]", "body"),
        (b'{"call_id": "x", "event": "offered", "at": NaN}', "body"),
        (b'{"call_id": "x", "event": "offered", "at": 1e999}', "at"),
        (b'{"call_id": "x", "event": "offered", "at": ' + b"9" * 400 + b"}", "at"),
        (b"[" * 100_000, "body"),
        (event(call_id=None), "call_id"),
        (event(call_id=["a"]), "call_id"),
        (event(call_id="\ud800"), "call_id"),
        (event(event="exploded"), "event"),
        (event(event=""), "event"),
        (event(at=None), "at"),
        (event(at=True), "at"),
        (event(at="1796115600"), "at"),
        (event(at=-1), "at"),
        (event(at=10**20), "at"),
        (event(user=5), "user"),
        (event(user="u" * 151), "user"),
        (event(code=True), "code"),
        (event(code=-1), "code"),
        (event(code=1000), "code"),
        (event(code="x"), "code"),
        (event(queue="\x00"), "queue"),
        (event(**{"from": {"a": 1}}), "from"),
    ],
)
def test_a_bad_event_is_refused_naming_the_field(client, body, parameter):
    response = post_event(client, body)
    assert response.status_code in (400, 413)
    assert response.json()["parameter"] == parameter
    assert not Call.objects.exists()


def test_an_event_larger_than_events_are_is_refused_unread(client):
    response = post_event(client, event(queue="x" * 10_000))
    assert response.status_code == 413
    assert not Call.objects.exists()


def test_events_are_posted(client):
    response = client.get(reverse("calls:phone_events"), **SECRET)
    assert response.status_code == 405


# Credentials ---------------------------------------------------------------------------------


def test_an_agent_gets_time_limited_sip_credentials(client, agent, phone_clock):
    client.force_login(agent)
    response = client.get(reverse("calls:credentials"))
    assert response.status_code == 200
    data = response.json()
    expires = int(phone_clock.now.timestamp()) + 12 * 3600
    assert data["username"] == f"{expires}:agent"
    assert data["expires"] == expires
    expected = hmac.new(b"test-auth", data["username"].encode(), hashlib.sha1).digest()
    assert base64.b64decode(data["password"]) == expected
    assert data["ws_uri"] == "ws://127.0.0.1:5066"
    assert data["sip_uri"] == "sip:agent@127.0.0.1"
    assert response["Cache-Control"] == "no-store"


def test_only_those_who_take_calls_get_credentials(client, manager, outsider):
    for user in (manager, outsider):
        client.force_login(user)
        assert client.get(reverse("calls:credentials")).status_code == 403


def test_anonymous_users_get_no_credentials(client):
    response = client.get(reverse("calls:credentials"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# Over a real socket --------------------------------------------------------------------------


def fetch(url, *, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own server)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.django_db(transaction=True)
def test_routing_over_http(live_server, city_line, local_trunk, phone_clock):
    (user,) = available_agents(city_line, 1, phone_clock)
    query = urllib.parse.urlencode(ROUTE)
    url = f"{live_server.url}{reverse('calls:phone_route')}?{query}"
    status, body = fetch(url, headers={"X-Phone-Secret": "test-phone-secret"})
    assert (status, json.loads(body)["user"]) == (200, user.username)
    status, body = fetch(
        url.replace("attempt=1", "attempt=x"), headers={"X-Phone-Secret": "test-phone-secret"}
    )
    assert (status, json.loads(body)["parameter"]) == (400, "attempt")
    assert fetch(url)[0] == 403


@pytest.mark.django_db(transaction=True)
def test_events_over_http(live_server, city_line):
    url = f"{live_server.url}{reverse('calls:phone_events')}"
    headers = {"X-Phone-Secret": "test-phone-secret", "Content-Type": "application/json"}
    body = json.dumps(event()).encode()
    assert fetch(url, data=body, headers=headers) == (204, b"")
    assert fetch(url, data=body, headers=headers) == (204, b"")
    assert CallEvent.objects.count() == 1
    status, answer = fetch(url, data=b"{", headers=headers)
    assert (status, json.loads(answer)["parameter"]) == (400, "body")
    assert fetch(url, data=body, headers={"Content-Type": "application/json"})[0] == 403


@pytest.mark.django_db(transaction=True)
def test_credentials_over_http(live_server, client, agent):
    client.force_login(agent)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    url = f"{live_server.url}{reverse('calls:credentials')}"
    status, body = fetch(url, headers={"Cookie": cookie})
    assert status == 200
    assert json.loads(body)["sip_uri"] == "sip:agent@127.0.0.1"
