"""Discovery, the service list and the service definitions, over HTTP in both formats."""

import pytest

from hierarchy.services import catalogue_item_set_active
from tests.open311.conftest import (
    ATTRIBUTE,
    DISCOVERY,
    ENDPOINT,
    ERROR,
    SERVICE,
    children,
    xml,
)


def test_discovery_names_the_specification_and_both_formats_in_json(api, transactional_db):
    response = api.get("discovery.json")
    assert response.status_code == 200
    document = response.json()
    assert list(document) == DISCOVERY
    (endpoint,) = document["endpoints"]
    assert list(endpoint) == ENDPOINT
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == api.base
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_discovery_in_xml_nests_endpoints_and_formats(api, transactional_db):
    root = xml(api.get("discovery.xml"))
    assert root.tag == "discovery"
    assert children(root) == DISCOVERY
    (endpoint,) = root.find("endpoints")
    assert endpoint.tag == "endpoint"
    assert children(endpoint) == ENDPOINT
    assert [item.text for item in endpoint.find("formats")] == ["text/xml", "application/json"]
    assert children(endpoint.find("formats")) == ["format", "format"]


def test_the_services_are_the_public_codes_in_json(api, city):
    response = api.get("services.json")
    assert response.status_code == 200
    services = response.json()
    assert [service["service_code"] for service in services] == ["LIGHT", "POTH"]
    light = services[0]
    assert list(light) == SERVICE
    assert light == {
        "service_code": "LIGHT",
        "service_name": "Street light out",
        "description": "A street light is dark or flickers.",
        "metadata": True,
        "type": "realtime",
        "keywords": "lamp, street lamp, Laterne",
        "group": "Street lights",
    }
    assert services[1]["metadata"] is False


def test_the_services_in_xml(api, city):
    root = xml(api.get("services.xml"))
    assert root.tag == "services"
    assert children(root) == ["service", "service"]
    light = root[0]
    assert children(light) == SERVICE
    assert light.findtext("service_code") == "LIGHT"
    assert light.findtext("metadata") == "true"
    assert light.findtext("group") == "Street lights"


def test_an_inactive_code_is_no_service(api, city):
    catalogue_item_set_active(item=city["light"], active=False, user=None)
    codes = [service["service_code"] for service in api.get("services.json").json()]
    assert codes == ["POTH"]


def test_a_definition_has_attributes_of_every_datatype_in_json(api, city):
    response = api.get("services/LIGHT.json")
    assert response.status_code == 200
    definition = response.json()
    assert list(definition) == ["service_code", "attributes"]
    attributes = definition["attributes"]
    assert [attribute["datatype"] for attribute in attributes] == [
        "singlevaluelist",
        "multivaluelist",
        "string",
        "number",
        "datetime",
        "text",
    ]
    state = attributes[0]
    assert list(state) == ATTRIBUTE
    assert state["variable"] is True
    assert state["required"] is True
    assert state["order"] == 1
    assert state["values"] == [
        {"key": "out", "name": "Out"},
        {"key": "flicker", "name": "Flickering"},
    ]


def test_a_definition_in_xml_nests_attributes_and_values(api, city):
    root = xml(api.get("services/LIGHT.xml"))
    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert set(children(attributes)) == {"attribute"}
    state = attributes[0]
    assert children(state) == ATTRIBUTE
    values = state.find("values")
    assert children(values) == ["value", "value"]
    assert children(values[0]) == ["key", "name"]
    assert values[1].findtext("name") == "Flickering"


@pytest.mark.parametrize("code", ["NOPE", "INSP"])
def test_an_unknown_or_internal_code_is_404_with_errors_in_json(api, city, code):
    response = api.get(f"services/{code}.json")
    assert response.status_code == 404
    (error,) = response.json()
    assert list(error) == ERROR
    assert error["code"] == 404
    assert code in error["description"]


def test_an_unknown_code_is_404_with_errors_in_xml(api, city):
    response = api.get("services/NOPE.xml")
    assert response.status_code == 404
    root = xml(response)
    assert root.tag == "errors"
    assert children(root) == ["error"]
    assert children(root[0]) == ERROR
    assert root[0].findtext("code") == "404"


def test_jurisdiction_id_and_unknown_parameters_are_ignored(api, city):
    response = api.get("services.json", jurisdiction_id="city.example", color="blue")
    assert [service["service_code"] for service in response.json()] == ["LIGHT", "POTH"]


def test_no_other_format_is_served(api, city):
    assert api.get("services.html").status_code == 404
