import re

import pytest
from django.urls import reverse

from tests.factories import ProblemCodeFactory, ServiceCategoryFactory

pytestmark = pytest.mark.django_db

PICKER = {"field": "problem_code", "id": "id_problem_code"}


def codes_in(response) -> list[str]:
    """The codes offered as radio buttons, in order."""
    return re.findall(r'<span class="code">([^<]+)</span>', response.content.decode())


def search(client, text: str, **extra):
    return client.get(
        reverse("hierarchy:picker_search"),
        {**PICKER, "problem_code_q": text, **extra},
        headers={"HX-Request": "true"},
    )


def browse(client, **chosen):
    params = {f"problem_code_{level}": pk for level, pk in chosen.items()}
    return client.get(
        reverse("hierarchy:picker_browse"), {**PICKER, **params}, headers={"HX-Request": "true"}
    )


def test_it_finds_codes_by_part_of_the_code(client, agent, catalogue):
    client.force_login(agent)
    response = search(client, "app")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert codes_in(response) == ["APPL"]
    assert b'type="radio" name="problem_code"' in response.content


def test_it_finds_codes_by_name_and_by_category(client, agent, catalogue):
    client.force_login(agent)
    by_name = search(client, "missed")
    by_category = search(client, "household garbage")
    assert codes_in(by_name) == ["MISS"]
    assert set(codes_in(by_category)) == {"APPL", "MISS"}


def test_an_exact_code_comes_first(client, agent, catalogue):
    ProblemCodeFactory(category=catalogue["category"], code="XAPPL", name="Other")
    ProblemCodeFactory(category=catalogue["category"], code="APP", name="Appliance repair")
    client.force_login(agent)
    codes = codes_in(search(client, "app"))
    assert codes[0] == "APP"
    assert codes.index("XAPPL") > codes.index("APPL")


def test_it_leaves_out_inactive_codes_and_codes_under_inactive_levels(client, agent, catalogue):
    catalogue["missed"].is_active = False
    catalogue["missed"].save()
    inactive_category = ServiceCategoryFactory(provider=catalogue["provider"], is_active=False)
    ProblemCodeFactory(category=inactive_category, code="HIDDEN", name="Hidden appliance")
    client.force_login(agent)
    assert codes_in(search(client, "missed")) == []
    assert codes_in(search(client, "appliance")) == ["APPL"]
    assert "No active problem code matches" in search(client, "missed").content.decode()


def test_the_chosen_code_stays_while_searching_for_another(client, agent, catalogue):
    client.force_login(agent)
    response = search(client, "missed", problem_code=catalogue["appl"].pk)
    codes = codes_in(response)
    assert codes == ["APPL", "MISS"]
    pk = catalogue["appl"].pk
    assert f'value="{pk}" id="id_problem_code_option_{pk}" checked' in response.content.decode()


def test_it_caps_the_results_and_says_more_match(client, agent, catalogue):
    for index in range(25):
        ProblemCodeFactory(category=catalogue["category"], code=f"BULK{index}", name="Bulk")
    client.force_login(agent)
    response = search(client, "bulk")
    assert len(codes_in(response)) == 20
    assert b"More codes match" in response.content


def test_browsing_walks_department_provider_category(client, agent, catalogue):
    client.force_login(agent)
    department, provider, category = (
        catalogue["department"],
        catalogue["provider"],
        catalogue["category"],
    )
    first = browse(client, department=department.pk)
    assert f'<option value="{provider.pk}">Solid Waste</option>' in first.content.decode()
    assert codes_in(first) == []

    last = browse(client, department=department.pk, provider=provider.pk, category=category.pk)
    assert set(codes_in(last)) == {"APPL", "MISS"}
    # The results replace the list elsewhere on the page.
    assert b'hx-swap-oob="innerHTML"' in last.content


def test_browsing_ignores_a_category_of_another_provider(client, agent, catalogue):
    other = ServiceCategoryFactory(name="Elsewhere")
    ProblemCodeFactory(category=other, code="ELSE")
    client.force_login(agent)
    response = browse(
        client,
        department=catalogue["department"].pk,
        provider=catalogue["provider"].pk,
        category=other.pk,
    )
    assert f"{other.name}</option>" not in response.content.decode()
    assert codes_in(response) == []


def test_it_rejects_a_malformed_field_name(client, agent, catalogue):
    client.force_login(agent)
    response = client.get(
        reverse("hierarchy:picker_search"), {"field": '"><script>', "id": "x", "q": "a"}
    )
    assert response.status_code == 400


def test_the_picker_needs_a_login(client, catalogue):
    response = client.get(reverse("hierarchy:picker_search"), PICKER)
    assert response.status_code == 302


def test_the_lookup_shows_the_picked_code_and_its_promise_dates(client, agent, catalogue):
    client.force_login(agent)
    response = client.get(reverse("hierarchy:code_lookup"), {"problem_code": catalogue["appl"].pk})
    assert response.status_code == 200
    assert response.context["code"] == catalogue["appl"]
    assert response.context["promise"]["permanent"] is not None
    assert b"Collect household appliance" in response.content


def test_the_lookup_answers_its_details_alone_over_htmx(client, agent, catalogue):
    client.force_login(agent)
    response = client.get(
        reverse("hierarchy:code_lookup"),
        {"problem_code": catalogue["appl"].pk},
        headers={"HX-Request": "true", "HX-Target": "code-details"},
    )
    assert b"<html" not in response.content
    assert b'id="code-details"' in response.content
    assert b"Appliance pickup" in response.content


def test_the_lookup_names_the_field_of_a_bad_choice(client, agent, catalogue):
    catalogue["appl"].is_active = False
    catalogue["appl"].save()
    client.force_login(agent)
    response = client.get(reverse("hierarchy:code_lookup"), {"problem_code": catalogue["appl"].pk})
    assert "problem_code" in response.context["form"].errors
    assert response.context["code"] is None


def test_names_starting_with_the_text_come_before_other_matches(client, agent, catalogue):
    ProblemCodeFactory(category=catalogue["category"], code="AAA", name="No water")
    ProblemCodeFactory(category=catalogue["category"], code="ZZZ", name="Water main break")
    client.force_login(agent)
    assert codes_in(search(client, "water")) == ["ZZZ", "AAA"]
