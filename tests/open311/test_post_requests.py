"""POST requests: a request an app posts is a desk request (channel Web, the desk's customer
rule and duplicate linking), refused as the specification says when it is not acceptable."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from open311.models import WebReport
from open311.services import REPORTER_USERNAME, api_key_create, api_key_revoke
from requests_app.models import Channel, Customer, CustomerRequest, RequestType, Status
from requests_app.services import request_save, request_start
from tests.open311.conftest import CREATED, ERROR, TOKEN, children, light_report, xml


def only_request() -> CustomerRequest:
    return CustomerRequest.objects.select_related("agent", "customer", "work_order").get()


def test_a_posted_request_is_an_action_request_from_the_web_in_json(api, city, key):
    response = api.post(
        "requests.json",
        light_report(
            key,
            email="Erika.Maier@example.org",
            first_name="Erika",
            last_name="Maier",
            **{"attribute[POLE]": "L-17"},
        ),
    )
    assert response.status_code == 201
    (created,) = response.json()
    assert list(created) == CREATED
    request = only_request()
    assert created["service_request_id"] == request.number
    assert isinstance(created["service_request_id"], str)
    assert created["service_notice"] == (
        "A temporary fix within 24 hours, the repair within 5 days."
    )
    assert created["account_id"] is None
    assert (request.request_type, request.channel, request.status) == (
        RequestType.ACTION,
        Channel.WEB,
        Status.OPEN,
    )
    assert request.problem_code == city["light"]
    assert request.work_address == "12 Main Street"
    assert request.description == (
        "Dark since Monday.\n\nIs the light out or flickering? Out\nThe number on the pole? L-17"
    )
    assert request.agent.username == REPORTER_USERNAME
    assert not request.agent.is_active
    assert request.work_order is not None
    assert request.work_order.problem_code == city["light"]
    # A new reporter with an e-mail address becomes a customer.
    assert request.customer.email == "erika.maier@example.org"
    assert request.customer.name == "Erika Maier"
    report = WebReport.objects.get()
    assert report.token == created["token"]
    assert report.attributes == {"STATE": "out", "POLE": "L-17"}


def test_a_posted_request_in_xml(api, city, key):
    response = api.post("requests.xml", light_report(key))
    assert response.status_code == 201
    root = xml(response)
    assert root.tag == "service_requests"
    assert children(root) == ["request"]
    assert children(root[0]) == CREATED
    assert root[0].findtext("service_request_id") == only_request().number


def test_the_token_leads_to_the_request_in_both_formats(api, city, key):
    created = api.post("requests.json", light_report(key)).json()[0]
    (found,) = api.get(f"tokens/{created['token']}.json").json()
    assert list(found) == TOKEN
    assert found == {"service_request_id": created["service_request_id"], "token": created["token"]}
    root = xml(api.get(f"tokens/{created['token']}.xml"))
    assert root.tag == "service_requests"
    assert children(root[0]) == TOKEN
    assert api.get("tokens/unknown.json").status_code == 404


def test_a_request_at_an_open_work_orders_place_joins_it(api, city, key, agent):
    phoned = request_start(agent=agent)
    phoned = request_save(
        request=phoned,
        values={
            "request_type": RequestType.ACTION,
            "problem_code": city["light"],
            "work_address": "12 Main St.",
        },
        expected_version=phoned.version,
        user=agent,
    )
    response = api.post("requests.json", light_report(key, address_string="12 main street"))
    assert response.status_code == 201
    posted = CustomerRequest.objects.get(number=response.json()[0]["service_request_id"])
    assert posted.work_order == phoned.work_order
    assert posted.work_order.requests.count() == 2


def test_two_posts_a_few_metres_apart_share_a_work_order(api, city, key):
    first = api.post(
        "requests.json", light_report(key, address_string="", lat="52.520008", long="13.404954")
    )
    second = api.post(
        "requests.json", light_report(key, address_string="", lat="52.520050", long="13.405000")
    )
    assert (first.status_code, second.status_code) == (201, 201)
    requests = list(CustomerRequest.objects.order_by("pk"))
    assert requests[0].work_address == "52.520008, 13.404954"
    assert requests[0].work_order == requests[1].work_order
    work_order = requests[0].work_order
    assert (work_order.latitude, work_order.longitude) == (
        Decimal("52.520008"),
        Decimal("13.404954"),
    )


def test_the_key_may_come_in_the_query_string(api, city, key):
    data = light_report(key)
    del data["api_key"]
    response = api.post("requests.json", data, api_key=key)
    assert response.status_code == 201


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("given", ["", "not-a-key", "revoked"])
def test_a_bad_key_is_403_and_saves_nothing(api, city, key, fmt, given):
    if given == "revoked":
        api_key, given = api_key_create(name="Old app", user=None)
        api_key_revoke(api_key=api_key, user=None)
    response = api.post(f"requests.{fmt}", light_report(given))
    assert response.status_code == 403
    if fmt == "json":
        (error,) = response.json()
        assert list(error) == ERROR
        assert error["code"] == 403
    else:
        root = xml(response)
        assert (root.tag, children(root), root[0].findtext("code")) == ("errors", ["error"], "403")
    assert not CustomerRequest.objects.exists()


def descriptions(response) -> list[str]:
    assert response.status_code == 400
    errors = response.json()
    assert all(error["code"] == 400 for error in errors)
    return [error["description"] for error in errors]


@pytest.mark.parametrize("code", ["NOPE", "INSP"])
def test_an_unknown_or_internal_service_code_is_400(api, city, key, code):
    response = api.post("requests.json", light_report(key, service_code=code))
    assert descriptions(response) == ["service_code: service_code was not found."]
    assert not CustomerRequest.objects.exists()


def test_a_request_without_a_location_is_400_in_xml(api, city, key):
    response = api.post("requests.xml", light_report(key, address_string=""))
    assert response.status_code == 400
    root = xml(response)
    assert root.tag == "errors"
    assert children(root[0]) == ERROR
    assert "location is required" in root[0].findtext("description")
    assert not CustomerRequest.objects.exists()


def test_an_address_id_alone_is_no_location(api, city, key):
    response = api.post("requests.json", light_report(key, address_string="", address_id="A-12"))
    assert "address_id is not supported here" in descriptions(response)[0]


def test_an_over_long_description_is_400(api, city, key):
    response = api.post("requests.json", light_report(key, description="x" * 4001))
    assert descriptions(response) == [
        "description: Ensure this value has at most 4000 characters (it has 4001)."
    ]
    assert not CustomerRequest.objects.exists()


def test_a_description_of_4000_characters_is_taken(api, city, key):
    response = api.post("requests.json", light_report(key, description="x" * 4000))
    assert response.status_code == 201


@pytest.mark.parametrize(
    "point, message",
    [
        ({"lat": "91", "long": "13"}, "lat: Ensure this value is less than or equal to 90."),
        (
            {"lat": "52", "long": "-181"},
            "long: Ensure this value is greater than or equal to -180.",
        ),
        ({"lat": "north", "long": "13"}, "lat: Enter a number."),
        ({"lat": "NaN", "long": "13"}, "lat: Enter a number."),
        ({"lat": "52.5"}, "long: lat and long come together: give both, or neither."),
    ],
)
def test_coordinates_are_checked(api, city, key, point, message):
    response = api.post("requests.json", light_report(key, address_string="", **point))
    assert descriptions(response) == [message]


def test_empty_optional_parameters_count_as_absent_and_unknown_ones_are_ignored(api, city, key):
    data = light_report(
        key,
        lat="",
        long="",
        email="",
        phone="",
        media_url="",
        jurisdiction_id="city.example",
        favourite_colour="blue",
        **{"attribute[POLE]": ""},
    )
    response = api.post("requests.json", data)
    assert response.status_code == 201
    assert only_request().customer is None


def test_a_required_attribute_and_a_value_off_the_list_are_refused(api, city, key):
    data = light_report(key)
    del data["attribute[STATE]"]
    assert descriptions(api.post("requests.json", data)) == [
        "attribute[STATE] is required: Is the light out or flickering?"
    ]
    response = api.post("requests.json", light_report(key, **{"attribute[STATE]": "gone"}))
    assert descriptions(response) == ["attribute[STATE]: 'gone' is not one of its values."]
    response = api.post("requests.json", light_report(key, **{"attribute[HEIGHT]": "tall"}))
    assert descriptions(response) == ["attribute[HEIGHT]: give a number."]


def test_a_multiple_choice_attribute_takes_several_values(api, city, key):
    data = light_report(key, **{"attribute[SIDES][]": ["out", "flicker"]})
    assert api.post("requests.json", data).status_code == 201
    assert WebReport.objects.get().attributes["SIDES"] == ["out", "flicker"]
    assert "Which sides are dark? Out, Flickering" in only_request().description


def test_a_description_is_stored_as_text_and_never_as_markup(api, city, key):
    text = "<script>alert(1)</script> & <b>bold</b>"
    created = api.post("requests.json", light_report(key, description=text)).json()[0]
    number = created["service_request_id"]
    assert only_request().description.startswith(text)
    (shown,) = api.get(f"requests/{number}.json").json()
    assert shown["description"].startswith(text)
    root = xml(api.get(f"requests/{number}.xml"))
    assert root[0].findtext("description").startswith(text)


def test_an_invalid_phone_number_is_400(api, city, key):
    response = api.post("requests.json", light_report(key, phone="12"))
    assert descriptions(response) == ["phone: “12” is not a valid phone number."]


@override_settings(OPEN311_POSTS_PER_KEY_PER_HOUR=2)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_key_over_its_limit_is_answered_429_with_retry_after(api, city, key, fmt):
    for _number in range(2):
        assert api.post(f"requests.{fmt}", light_report(key)).status_code == 201
    response = api.post(f"requests.{fmt}", light_report(key))
    assert response.status_code == 429
    assert 3500 < int(response.headers["Retry-After"]) <= 3600
    if fmt == "xml":
        assert xml(response).tag == "errors"
    else:
        assert response.json()[0]["code"] == 429
    assert CustomerRequest.objects.count() == 2
    # Another key is counted on its own.
    other = api_key_create(name="Other app", user=None)[1]
    assert api.post(f"requests.{fmt}", light_report(other)).status_code == 201


@override_settings(OPEN311_POSTS_PER_ADDRESS_PER_HOUR=1)
def test_a_client_address_over_its_limit_is_answered_429_whatever_the_key(api, city, key):
    assert api.post("requests.json", light_report(key)).status_code == 201
    other = api_key_create(name="Other app", user=None)[1]
    response = api.post("requests.json", light_report(other))
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_a_known_reporter_is_linked_to_their_customer(api, city, key):
    from requests_app.services import customer_save

    known = customer_save(values={"name": "Erika Maier", "email": "erika@example.org"}, phones=[])
    api.post("requests.json", light_report(key, email="ERIKA@example.org"))
    assert only_request().customer == known
    assert Customer.objects.count() == 1


def test_agents_see_a_posted_request_at_once(api, city, key, agent, client):
    number = api.post("requests.json", light_report(key)).json()[0]["service_request_id"]
    client.force_login(agent)
    response = client.get(reverse("requests_app:request_list"))
    assert number in response.content.decode()


def test_a_number_several_customers_share_leaves_the_choice_to_an_agent(api, city, key):
    from requests_app.services import customer_save

    for name in ("Jens Olsen", "Kari Olsen"):
        customer_save(values={"name": name}, phones=["+4930123456"])
    response = api.post(
        "requests.json",
        light_report(key, phone="+49 30 123456", email="kari@example.org"),
    )
    assert response.status_code == 201
    request = only_request()
    assert request.caller_phone == ""
    assert request.customer.email == "kari@example.org"
    assert request.description.endswith(
        "The reporter gave +4930123456, which more than one customer has: choose the caller."
    )
    (shown,) = api.get(f"requests/{request.number}.json").json()
    assert shown["description"] == "Dark since Monday."
