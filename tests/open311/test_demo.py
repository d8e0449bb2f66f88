"""The demo's Open311 questions load into the demo catalogue and are served."""

import pytest

from demo.catalogue import load_demo_catalogue
from demo.open311 import load_demo_attributes

pytestmark = pytest.mark.django_db


def test_the_demo_services_ask_their_questions(client):
    load_demo_catalogue()
    assert load_demo_attributes() == 6
    definition = client.get("/open311/v2/services/DUMP.json").json()
    assert [(a["code"], a["datatype"], a["required"]) for a in definition["attributes"]] == [
        ("KIND", "multivaluelist", True),
        ("SINCE", "datetime", False),
    ]
    services = {s["service_code"]: s for s in client.get("/open311/v2/services.json").json()}
    assert services["SLOUT"]["metadata"] is True
    assert services["GLASS"]["metadata"] is False
