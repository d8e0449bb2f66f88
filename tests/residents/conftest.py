"""The residents' pages: a town with public services in two categories and an internal one,
and the web form's own fields filled as a person fills them (the form shown long enough ago)."""

import time

import pytest
from django.core import signing
from django.urls import reverse

from open311.services import service_attribute_save
from residents.forms import STAMP_SALT
from tests.factories import (
    DepartmentFactory,
    ProblemCodeFactory,
    ServiceCategoryFactory,
    ServiceProviderFactory,
    StandardWorkOrderFactory,
)


@pytest.fixture
def town(db):
    """Street lights (LIGHT, public), Road surface (POTH, public; INSP, internal)."""
    department = DepartmentFactory(name="Public Works")
    provider = ServiceProviderFactory(department=department, name="Roads")
    lights = ServiceCategoryFactory(provider=provider, name="Street lights")
    roads = ServiceCategoryFactory(provider=provider, name="Road surface")
    light = ProblemCodeFactory(
        category=lights,
        code="LIGHT",
        name="Street light out",
        temporary_fix_hours=24,
        permanent_fix_days=5,
        is_public=True,
        standard_work_order=StandardWorkOrderFactory(title="Repair street light"),
    )
    pothole = ProblemCodeFactory(
        category=roads, code="POTH", name="Pothole", permanent_fix_days=10, is_public=True
    )
    internal = ProblemCodeFactory(category=roads, code="INSP", name="Road inspection")
    # Their Open311 questions: the pothole's size must be answered.
    sizes = [{"key": "small", "name": "Smaller than a hand"}, {"key": "large", "name": "Larger"}]
    service_attribute_save(
        problem_code=pothole,
        code="SIZE",
        datatype="singlevaluelist",
        description="How large is the hole?",
        required=True,
        values=sizes,
    )
    lanes = [{"key": "road", "name": "Road"}, {"key": "cycle", "name": "Cycle lane"}]
    service_attribute_save(
        problem_code=pothole,
        code="WHERE",
        datatype="multivaluelist",
        description="Where on the street?",
        order=2,
        values=lanes,
    )
    service_attribute_save(
        problem_code=pothole, code="DEPTH", datatype="number", description="Depth (cm)?", order=3
    )
    service_attribute_save(
        problem_code=pothole, code="SINCE", datatype="datetime", description="Since when?", order=4
    )
    service_attribute_save(
        problem_code=light, code="POLE", datatype="string", description="The number on the pole?"
    )
    return {"light": light, "pothole": pothole, "internal": internal}


def stamp(seconds_ago: float = 10) -> str:
    """What the form's hidden field holds when it was shown `seconds_ago`."""
    return signing.dumps(time.time() - seconds_ago, salt=STAMP_SALT)


def report_data(**values) -> dict:
    return {
        "problem_code": "LIGHT",
        "address": "12 Main Street",
        "description": "Dark since Monday.",
        "name": "Erika Maier",
        "email": "Erika.Maier@example.org",
        "phone": "",
        "website": "",
        "shown": stamp(),
        **values,
    }


def send(client, **values):
    return client.post(reverse("residents:report"), report_data(**values))
