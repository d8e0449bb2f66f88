"""The public services' questions (their Open311 attributes) on the web form: asked of whoever
chooses the service, answered as an app's reporter answers them."""

import pytest
from django.urls import reverse

from open311.models import ServiceAttribute, WebReport
from requests_app.models import CustomerRequest
from tests.residents.conftest import send

pytestmark = pytest.mark.django_db


def name_of(code: str) -> str:
    return f"answer_{ServiceAttribute.objects.get(code=code).pk}"


def test_the_answers_reach_the_request_as_an_apps_do(client, town):
    response = send(
        client,
        problem_code="POTH",
        **{
            name_of("SIZE"): "large",
            name_of("WHERE"): ["road", "cycle"],
            name_of("DEPTH"): "12.50",
            name_of("SINCE"): "2026-11-30T08:15",
            name_of("POLE"): "L-17",  # the street light's: not asked of a pothole
        },
    )
    assert response.status_code == 302
    web_report = WebReport.objects.select_related("request").get()
    assert web_report.attributes == {
        "SIZE": "large",
        "WHERE": ["road", "cycle"],
        "DEPTH": "12.5",
        "SINCE": "2026-11-30T08:15:00+01:00",
    }
    assert web_report.request.description == (
        "Dark since Monday.\n\nHow large is the hole? Larger\nWhere on the street? Road, "
        "Cycle lane\nDepth (cm)? 12.5\nSince when? 2026-11-30T08:15:00+01:00"
    )
    assert web_report.description == "Dark since Monday."  # what Open311 publishes


def test_a_required_question_of_the_chosen_service_is_asked_beside_its_field(client, town):
    response = send(client, problem_code="POTH", **{name_of("DEPTH"): "deep"})
    assert response.status_code == 200
    body = response.content.decode()
    size = name_of("SIZE")
    assert f'<a href="#id_{size}_0">How large is the hole?: Please answer this question.' in body
    assert "Depth (cm)?: Enter a number." in body
    assert 'value="deep"' in body
    # The pothole's questions are shown, the street light's are not.
    assert 'data-values="POTH">' in body
    assert 'data-values="LIGHT" hidden>' in body
    assert not CustomerRequest.objects.exists()


def test_an_answer_off_the_list_is_refused(client, town):
    body = send(client, problem_code="POTH", **{name_of("SIZE"): "huge"}).content.decode()
    assert "How large is the hole?: Select a valid choice. huge is not one of the" in body
    assert not CustomerRequest.objects.exists()


def test_a_new_form_hides_every_services_questions_until_one_is_chosen(client, town):
    body = client.get(reverse("residents:report")).content.decode()
    assert 'data-values="POTH" hidden>' in body
    assert 'data-values="LIGHT" hidden>' in body
    assert "<legend>How large is the hole?</legend>" in body
    # The questions come after the place, on the page as in the error summary.
    assert body.index('id="id_address"') < body.index("How large is the hole?")
    assert body.index("How large is the hole?") < body.index('id="id_description"')
