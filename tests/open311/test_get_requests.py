"""GET requests and requests/{id}: what residents and apps read, in both formats and through
the GeoReport client from PyPI."""

from datetime import timedelta

import pytest
from django.utils import timezone
from georeport import GeoReport

from requests_app.models import RequestType
from requests_app.services import request_save, request_start
from tests.open311.conftest import REQUEST, children, light_report, xml
from workorders.services import work_order_update


def phoned(agent, code, address: str = "3 Elm Road", **values):
    """A problem reported by phone at the desk."""
    request = request_start(agent=agent)
    return request_save(
        request=request,
        values={
            "request_type": RequestType.ACTION,
            "problem_code": code,
            "work_address": address,
            "description": "Caller Jens Olsen, 0171 2345678, says the light is out.",
            **values,
        },
        expected_version=request.version,
        user=agent,
    )


def at(request, when):
    """The request as if it had been taken at `when` (the desk's clock is the service's)."""
    from requests_app.models import CustomerRequest

    CustomerRequest.objects.filter(pk=request.pk).update(started_at=when)


@pytest.fixture
def desk(city, agent, key, api):
    """A phoned light report, a phoned pothole, an internal inspection, an information call, and
    a light report posted by an app at 52.52, 13.40."""
    light = phoned(agent, city["light"])
    pothole = phoned(agent, city["pothole"], "8 Station Road")
    phoned(agent, city["internal"], "9 Station Road")
    information = request_start(agent=agent)
    request_save(
        request=information,
        values={"request_type": RequestType.INFORMATION, "problem_code": city["light"]},
        expected_version=information.version,
        user=agent,
    )
    posted = api.post(
        "requests.json",
        light_report(
            key, address_string="", lat="52.52", long="13.4", media_url="https://img.example/1.jpg"
        ),
    ).json()[0]
    return {"light": light, "pothole": pothole, "posted": posted["service_request_id"]}


def test_the_requests_are_the_action_requests_of_public_services_newest_first(api, desk):
    response = api.get("requests.json")
    assert response.status_code == 200
    rows = response.json()
    assert [row["service_request_id"] for row in rows] == [
        desk["posted"],
        desk["pothole"].number,
        desk["light"].number,
    ]
    for row in rows:
        assert list(row) == REQUEST


def test_a_phoned_request_shows_its_place_status_and_promise_but_not_the_agents_notes(api, desk):
    light = desk["light"]
    (row,) = api.get(f"requests/{light.number}.json").json()
    work_order = light.work_order
    assert row == {
        "service_request_id": light.number,
        "status": "open",
        "status_notes": f"Open. Work order {work_order.number}: open.",
        "service_name": "Street light out",
        "service_code": "LIGHT",
        "description": None,
        "agency_responsible": "Public Works",
        "service_notice": "A temporary fix within 24 hours, the repair within 5 days.",
        "requested_datetime": timezone.localtime(light.started_at).isoformat(timespec="seconds"),
        "updated_datetime": timezone.localtime(light.updated_at).isoformat(timespec="seconds"),
        "expected_datetime": timezone.localtime(work_order.due_at).isoformat(timespec="seconds"),
        "address": "3 Elm Road",
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def test_a_posted_request_shows_what_the_reporter_published(api, desk):
    (row,) = api.get(f"requests/{desk['posted']}.json").json()
    assert row["description"].startswith("Dark since Monday.")
    assert (row["lat"], row["long"]) == (52.52, 13.4)
    assert row["address"] == "52.520000, 13.400000"
    assert row["media_url"] == "https://img.example/1.jpg"


def test_the_requests_in_xml(api, desk):
    root = xml(api.get("requests.xml"))
    assert root.tag == "service_requests"
    assert children(root) == ["request"] * 3
    for request in root:
        assert children(request) == REQUEST
    posted = root[0]
    assert posted.findtext("service_request_id") == desk["posted"]
    assert posted.findtext("status") == "open"
    assert posted.findtext("lat") == "52.52"
    assert posted.find("address_id").text is None  # an empty element


def test_one_request_is_a_list_of_one_in_xml(api, desk):
    root = xml(api.get(f"requests/{desk['light'].number}.xml"))
    assert (root.tag, children(root)) == ("service_requests", ["request"])
    assert children(root[0]) == REQUEST


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_is_404(api, desk, fmt):
    response = api.get(f"requests/CR-1999-000001.{fmt}")
    assert response.status_code == 404
    if fmt == "xml":
        assert xml(response).tag == "errors"
    else:
        assert response.json()[0]["code"] == 404


def test_a_completed_work_order_closes_its_requests(api, desk, supervisor):
    work_order = desk["light"].work_order
    work_order_update(
        work_order=work_order,
        values={"status": "completed"},
        expected_version=work_order.version,
        user=supervisor,
    )
    (row,) = api.get(f"requests/{desk['light'].number}.json").json()
    assert (row["status"], row["status_notes"]) == ("closed", "Resolved")
    closed = api.get("requests.json", status="closed").json()
    assert [row["service_request_id"] for row in closed] == [desk["light"].number]


def numbers(response) -> list[str]:
    assert response.status_code == 200
    return [row["service_request_id"] for row in response.json()]


def test_filters_take_comma_separated_lists(api, desk):
    light, pothole = desk["light"].number, desk["pothole"].number
    assert numbers(api.get("requests.json", service_request_id=f"{light},{pothole}")) == [
        pothole,
        light,
    ]
    assert numbers(api.get("requests.json", service_code="POTH,INSP")) == [pothole]
    assert numbers(api.get("requests.json", service_code="light")) == [desk["posted"], light]
    assert numbers(api.get("requests.json", status="open,closed")) == [
        desk["posted"],
        pothole,
        light,
    ]
    assert numbers(api.get("requests.json", status="closed")) == []


def test_empty_filters_count_as_absent(api, desk):
    everything = numbers(api.get("requests.json"))
    empty = api.get("requests.json", service_code="", status="", start_date="", jurisdiction_id="")
    assert numbers(empty) == everything


def test_the_default_window_is_the_last_90_days_and_dates_choose_another(api, desk):
    now = timezone.now()
    at(desk["light"], now - timedelta(days=100))
    assert desk["light"].number not in numbers(api.get("requests.json"))
    start = (now - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert numbers(api.get("requests.json", start_date=start, end_date=end)) == [
        desk["light"].number
    ]
    # A start alone means the 90 days from it.
    assert numbers(api.get("requests.json", start_date=start)) == [desk["light"].number]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start_date": "yesterday"}, "start_date is not a date and time"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date is not a date and time"),
        ({"start_date": "9999-12-31T00:00:00Z"}, "start_date is not a date and time"),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "may not span more than 90 days",
        ),
        (
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "end_date is before start_date",
        ),
        ({"status": "pending"}, "status may be open or closed"),
    ],
)
def test_a_filter_that_cannot_be_read_is_400(api, city, params, message):
    response = api.get("requests.json", **params)
    assert response.status_code == 400
    (error,) = response.json()
    assert message in error["description"]


def test_the_georeport_client_reads_services_and_requests_in_json(api, desk):
    client = GeoReport(api.base, jurisdiction="city.example")
    services = client.get_service_list()
    assert [service["service_code"] for service in services] == ["LIGHT", "POTH"]
    definition = client.get_service_definition("LIGHT")
    assert definition["attributes"][0]["code"] == "STATE"
    requests = client.get_service_requests(service_code="LIGHT", status="open")
    assert [request["service_request_id"] for request in requests] == [
        desk["posted"],
        desk["light"].number,
    ]
    one = client.get_service_request(desk["posted"])
    assert one["service_code"] == "LIGHT"


def test_the_georeport_client_reads_services_and_requests_in_xml(api, desk):
    client = GeoReport(api.base, output_format="xml")
    services = client.get_service_list()
    assert [service["service_code"] for service in services] == ["LIGHT", "POTH"]
    definition = client.get_service_definition("LIGHT")
    assert [
        value["key"] for value in definition["attributes"]["attribute"][0]["values"]["value"]
    ] == [
        "out",
        "flicker",
    ]
    requests = client.get_service_requests(service_request_id=desk["pothole"].number)
    assert requests["service_request_id"] == desk["pothole"].number
    assert requests["status_notes"].startswith("Open. Work order")
    one = client.get_service_request(desk["light"].number)
    assert one["agency_responsible"] == "Public Works"


def test_a_request_of_a_code_made_internal_is_no_longer_shown(api, desk):
    from hierarchy.services import catalogue_item_update

    pothole_code = desk["pothole"].problem_code
    catalogue_item_update(
        item=pothole_code,
        values={"is_public": False},
        expected_version=pothole_code.version,
        user=None,
    )
    assert desk["pothole"].number not in numbers(api.get("requests.json"))


@pytest.mark.parametrize(
    "path, status",
    [
        ("requests/CR-2026-%00.json", 404),
        ("services/LI%00GHT.xml", 404),
        ("tokens/%00.json", 404),
        ("requests.json?service_code=%00&status=open", 200),
        ("requests.json?service_request_id=CR%00", 200),
        ("requests.xml?start_date=2026-01-01%00", 400),
    ],
)
def test_control_characters_find_nothing_and_break_nothing(api, city, path, status):
    response = api.get(path)
    assert response.status_code == status
    if status == 200:
        assert response.json() == []


def test_control_characters_in_a_posted_description_are_refused_or_left_out_of_the_xml(
    api, city, key
):
    refused = api.post("requests.json", light_report(key, description="a\x00b"))
    assert refused.status_code == 400
    created = api.post("requests.json", light_report(key, description="bell\x07 rings"))
    number = created.json()[0]["service_request_id"]
    root = xml(api.get(f"requests/{number}.xml"))
    assert root[0].findtext("description").startswith("bell  rings")
