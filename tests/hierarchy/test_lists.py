import pytest
from django.urls import reverse

from tests.factories import ProblemCodeFactory, StandardWorkOrderFactory

pytestmark = pytest.mark.django_db


def test_the_code_list_filters_by_text(client, agent, catalogue):
    client.force_login(agent)
    response = client.get(reverse("hierarchy:code_list"), {"q": "missed"})
    assert [code.code for code in response.context["page"].object_list] == ["MISS"]


def test_the_code_list_filters_by_department_and_status(client, agent, catalogue):
    other = ProblemCodeFactory(code="PARK1", is_active=False)
    client.force_login(agent)
    response = client.get(
        reverse("hierarchy:code_list"),
        {"department": other.category.provider.department.pk, "active": "no"},
    )
    assert list(response.context["page"].object_list) == [other]


def test_the_code_list_answers_its_results_alone_over_htmx(client, agent, catalogue):
    client.force_login(agent)
    response = client.get(
        reverse("hierarchy:code_list"), {"q": "APPL"}, headers={"HX-Request": "true"}
    )
    assert b"<html" not in response.content
    assert b'id="results"' in response.content
    assert b"Appliance pickup" in response.content


def test_the_code_list_pages_without_a_query_per_row(
    client, agent, catalogue, django_assert_max_num_queries
):
    for index in range(60):
        ProblemCodeFactory(category=catalogue["category"], code=f"P{index:03d}")
    client.force_login(agent)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("hierarchy:code_list"), {"page": "2"})
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 12


def test_the_standard_work_order_list_is_for_administrators(client, agent, administrator):
    StandardWorkOrderFactory(title="Repair streetlight", trade="Electrical")
    client.force_login(agent)
    assert client.get(reverse("hierarchy:standard_work_order_list")).status_code == 403
    client.force_login(administrator)
    response = client.get(reverse("hierarchy:standard_work_order_list"), {"trade": "electr"})
    assert [order.title for order in response.context["page"].object_list] == ["Repair streetlight"]
