"""The Open311 interface over real HTTP: Django's live server, spoken to with `requests`, a
public city catalogue, and a key made as an administrator makes one."""

from dataclasses import dataclass
from xml.etree import ElementTree

import pytest
import requests

from open311.services import api_key_create, service_attribute_save
from tests.factories import (
    DepartmentFactory,
    ProblemCodeFactory,
    ServiceCategoryFactory,
    ServiceProviderFactory,
)

# The elements of each document, named and ordered as GeoReport v2 names them.
SERVICE = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
CREATED = ["service_request_id", "token", "service_notice", "account_id"]
TOKEN = ["service_request_id", "token"]
ATTRIBUTE = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
ERROR = ["code", "description"]
DISCOVERY = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT = ["specification", "url", "changeset", "type", "formats"]


@dataclass
class Api:
    """The interface at the live server's /open311/v2/."""

    base: str

    def get(self, path: str, **params) -> requests.Response:
        return requests.get(f"{self.base}{path}", params=params, timeout=30)

    def post(self, path: str, data: dict, **params) -> requests.Response:
        return requests.post(f"{self.base}{path}", data=data, params=params, timeout=30)


@pytest.fixture
def api(live_server) -> Api:
    return Api(f"{live_server.url}/open311/v2/")


@pytest.fixture
def city(transactional_db):
    """Streets and lights: STREETLIGHT (public, with a question of each datatype), POTHOLE
    (public) and GRAFFITI-INT (internal: not public)."""
    department = DepartmentFactory(name="Public Works")
    provider = ServiceProviderFactory(department=department, name="Roads")
    lights = ServiceCategoryFactory(provider=provider, name="Street lights")
    roads = ServiceCategoryFactory(provider=provider, name="Road surface")
    light = ProblemCodeFactory(
        category=lights,
        code="LIGHT",
        name="Street light out",
        description="A street light is dark or flickers.",
        keywords_en="lamp, street lamp",
        keywords_de="Laterne",
        temporary_fix_hours=24,
        permanent_fix_days=5,
        is_public=True,
    )
    pothole = ProblemCodeFactory(
        category=roads, code="POTH", name="Pothole", permanent_fix_days=10, is_public=True
    )
    internal = ProblemCodeFactory(category=roads, code="INSP", name="Road inspection")
    choices = [{"key": "out", "name": "Out"}, {"key": "flicker", "name": "Flickering"}]
    questions = [
        ("STATE", "singlevaluelist", "Is the light out or flickering?", True, choices),
        ("SIDES", "multivaluelist", "Which sides are dark?", False, choices),
        ("POLE", "string", "The number on the pole?", False, None),
        ("HEIGHT", "number", "How high is the pole (m)?", False, None),
        ("SINCE", "datetime", "Since when?", False, None),
        ("MORE", "text", "Anything else?", False, None),
    ]
    for order, (code, datatype, question, required, values) in enumerate(questions, start=1):
        service_attribute_save(
            problem_code=light,
            code=code,
            datatype=datatype,
            description=question,
            required=required,
            order=order,
            values=values,
        )
    return {"light": light, "pothole": pothole, "internal": internal}


@pytest.fixture
def key(transactional_db) -> str:
    return api_key_create(name="Test app", user=None)[1]


def xml(response: requests.Response) -> ElementTree.Element:
    assert response.headers["Content-Type"].startswith("text/xml")
    return ElementTree.fromstring(response.content)


def children(element: ElementTree.Element) -> list[str]:
    return [child.tag for child in element]


def light_report(key: str, **values) -> dict:
    return {
        "api_key": key,
        "service_code": "LIGHT",
        "address_string": "12 Main Street",
        "attribute[STATE]": "out",
        "description": "Dark since Monday.",
        **values,
    }
