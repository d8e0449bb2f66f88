import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, ServiceProviderFactory

pytestmark = pytest.mark.django_db


def test_it_shows_departments_to_an_agent(client, agent, catalogue):
    client.force_login(agent)
    response = client.get(reverse("hierarchy:tree"))
    assert response.status_code == 200
    assert b"Environmental Services" in response.content
    assert b"<html" in response.content
    # Agents browse; they are not offered changes.
    assert b"New department" not in response.content


def test_it_offers_changes_to_an_administrator(client, administrator, catalogue):
    client.force_login(administrator)
    response = client.get(reverse("hierarchy:tree"))
    assert b"New department" in response.content


def test_it_loads_one_level_below_over_htmx(client, agent, catalogue):
    client.force_login(agent)
    department = catalogue["department"]
    ServiceProviderFactory(department=department, name="Street Cleaning")
    response = client.get(
        reverse("hierarchy:tree_children", args=["department", department.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Solid Waste" in response.content
    assert b"Street Cleaning" in response.content
    assert b"Household garbage collection" not in response.content


def test_it_lists_problem_codes_under_a_category(client, agent, catalogue):
    client.force_login(agent)
    response = client.get(
        reverse("hierarchy:tree_children", args=["category", catalogue["category"].pk]),
        headers={"HX-Request": "true"},
    )
    assert b"APPL" in response.content
    assert b"Appliance pickup" in response.content


def test_children_without_htmx_redirect_to_the_entry(client, agent, catalogue):
    client.force_login(agent)
    department = catalogue["department"]
    response = client.get(reverse("hierarchy:tree_children", args=["department", department.pk]))
    assert response.status_code == 302
    assert response.url == department.get_absolute_url()


def test_it_marks_inactive_departments(client, agent):
    DepartmentFactory(name="Old Department", is_active=False)
    client.force_login(agent)
    response = client.get(reverse("hierarchy:tree"))
    assert b"Old Department" in response.content
    assert b"badge-inactive" in response.content


def test_it_sends_anonymous_users_to_the_login_page(client, catalogue):
    response = client.get(reverse("hierarchy:tree"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_refuses_a_user_without_a_role(client, outsider, catalogue):
    client.force_login(outsider)
    assert client.get(reverse("hierarchy:tree")).status_code == 403


def test_it_answers_404_for_an_unknown_level(client, agent):
    client.force_login(agent)
    assert client.get("/catalogue/planet/1/").status_code == 404


def test_the_tree_does_not_query_per_department(client, agent, django_assert_max_num_queries):
    for index in range(30):
        DepartmentFactory(name=f"Department {index:02d}")
    client.force_login(agent)
    with django_assert_max_num_queries(8):
        client.get(reverse("hierarchy:tree"))
