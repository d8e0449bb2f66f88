import pytest

pytestmark = pytest.mark.django_db


def test_it_shows_a_problem_code_with_its_path(client, agent, catalogue):
    client.force_login(agent)
    response = client.get(catalogue["appl"].get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "APPL · Appliance pickup" in content
    assert "Environmental Services" in content
    assert "Solid Waste" in content
    assert "Collect household appliance" in content
    assert "Deactivate" not in content


def test_it_lists_the_entries_below_a_provider(client, administrator, catalogue):
    client.force_login(administrator)
    response = client.get(catalogue["provider"].get_absolute_url())
    content = response.content.decode()
    assert "Household garbage collection" in content
    assert "New service category" in content
    assert "Deactivate" in content


def test_it_warns_when_a_level_above_is_inactive(client, agent, catalogue):
    department = catalogue["department"]
    department.is_active = False
    department.save()
    client.force_login(agent)
    response = client.get(catalogue["appl"].get_absolute_url())
    assert "A level above this one is inactive" in response.content.decode()


def test_it_answers_404_for_a_missing_entry(client, agent):
    client.force_login(agent)
    assert client.get("/catalogue/problem-code/999999/").status_code == 404


def test_it_refuses_a_user_without_a_role(client, outsider, catalogue):
    client.force_login(outsider)
    assert client.get(catalogue["appl"].get_absolute_url()).status_code == 403
