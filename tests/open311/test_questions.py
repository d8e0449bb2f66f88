"""The administrators' pages of the questions public services ask (GeoReport v2 attributes)."""

import pytest
from django.urls import reverse

from open311.models import ServiceAttribute
from open311.services import service_attribute_save
from tests.factories import ProblemCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def light(db):
    return ProblemCodeFactory(code="SLOUT", name="Street light out", is_public=True)


def test_the_list_shows_the_public_codes_only(client, administrator, light):
    ProblemCodeFactory(code="INSP", name="Inspection")
    client.force_login(administrator)
    html = client.get(reverse("open311:question_codes")).content.decode()
    assert "SLOUT" in html
    assert "INSP" not in html


def test_an_administrator_adds_a_list_question_with_its_choices(client, administrator, light):
    client.force_login(administrator)
    url = reverse("open311:questions", args=[light.pk])
    page = client.get(url).content.decode()
    for label in ("Code", "Question", "Answer", "An answer is required", "Choices"):
        assert f">{label}</label>" in page
    response = client.post(
        url,
        {
            "code": "STATE",
            "description": "Is it out?",
            "datatype": "singlevaluelist",
            "required": "on",
            "order": "1",
            "values": "out=Out\nflicker = Flickering\n",
        },
    )
    assert response.status_code == 302
    attribute = ServiceAttribute.objects.get()
    assert (attribute.code, attribute.required, attribute.values) == (
        "STATE",
        True,
        [{"key": "out", "name": "Out"}, {"key": "flicker", "name": "Flickering"}],
    )
    assert "The question “STATE” is saved." in client.get(url).content.decode()


@pytest.mark.parametrize(
    "values, message",
    [("", "A list answer needs its choices."), ("out Out", "Line 1 is not key=name.")],
)
def test_a_list_question_needs_its_choices_written_key_equals_name(
    client, administrator, light, values, message
):
    client.force_login(administrator)
    response = client.post(
        reverse("open311:questions", args=[light.pk]),
        {
            "code": "STATE",
            "description": "Is it out?",
            "datatype": "singlevaluelist",
            "order": "1",
            "values": values,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceAttribute.objects.exists()


def test_an_administrator_removes_a_question(client, administrator, light):
    attribute = service_attribute_save(
        problem_code=light, code="POLE", datatype="string", description="Pole number?"
    )
    client.force_login(administrator)
    url = reverse("open311:questions", args=[light.pk])
    assert client.post(url, {"remove": attribute.pk}).status_code == 302
    assert not ServiceAttribute.objects.exists()


def test_a_question_of_another_code_cannot_be_removed_through_this_one(
    client, administrator, light
):
    other = ProblemCodeFactory(is_public=True)
    attribute = service_attribute_save(
        problem_code=other, code="POLE", datatype="string", description="Pole number?"
    )
    client.force_login(administrator)
    response = client.post(reverse("open311:questions", args=[light.pk]), {"remove": attribute.pk})
    assert response.status_code == 404
    assert ServiceAttribute.objects.exists()


def test_an_internal_code_has_no_questions_page(client, administrator):
    internal = ProblemCodeFactory(is_public=False)
    client.force_login(administrator)
    assert client.get(reverse("open311:questions", args=[internal.pk])).status_code == 404


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager", "outsider"])
def test_only_administrators_keep_questions(client, request, role, light):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("open311:question_codes")).status_code == 403
    response = client.post(
        reverse("open311:questions", args=[light.pk]),
        {"code": "X", "description": "?", "datatype": "string", "order": "1"},
    )
    assert response.status_code == 403
    assert not ServiceAttribute.objects.exists()
