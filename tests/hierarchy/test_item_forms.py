import pytest
from django.urls import reverse

from hierarchy.models import Department, ProblemCode, ServiceProvider
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def code_form_data(catalogue, **overrides) -> dict:
    data = {
        "category": catalogue["category"].pk,
        "code": "tv",
        "name": "Television pickup",
        "description": "",
        "priority": 3,
        "standard_work_order": catalogue["standard_work_order"].pk,
        "temporary_fix_hours": "",
        "permanent_fix_days": "7",
    }
    return {**data, **overrides}


def test_it_creates_a_problem_code_with_the_code_in_capitals(client, administrator, catalogue):
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_create", args=["problem-code"]), code_form_data(catalogue)
    )
    code = ProblemCode.objects.get(code="TV")
    assert response.status_code == 302
    assert response.url == code.get_absolute_url()
    assert code.category == catalogue["category"]
    assert code.permanent_fix_days == 7
    assert code.updated_by == administrator
    assert str(code) == "TV · Television pickup"


def test_the_create_form_preselects_the_parent(client, administrator, catalogue):
    client.force_login(administrator)
    response = client.get(
        reverse("hierarchy:item_create", args=["problem-code"]),
        {"parent": catalogue["category"].pk},
    )
    assert response.status_code == 200
    assert response.context["form"]["category"].value() == str(catalogue["category"].pk)


def test_it_refuses_a_code_that_exists_in_other_case(client, administrator, catalogue):
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_create", args=["problem-code"]),
        code_form_data(catalogue, code="appl", name="Another appliance code"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["This code is already in use."]
    assert ProblemCode.objects.filter(code__iexact="APPL").count() == 1


def test_it_refuses_a_code_with_spaces(client, administrator, catalogue):
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_create", args=["problem-code"]),
        code_form_data(catalogue, code="A B"),
    )
    assert "code" in response.context["form"].errors
    assert not ProblemCode.objects.filter(name="Television pickup").exists()


def test_it_refuses_an_empty_name(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_create", args=["department"]), {"name": "  ", "description": "x"}
    )
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert Department.objects.count() == 0


def test_it_refuses_a_duplicate_department_name_ignoring_case(client, administrator, catalogue):
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_create", args=["department"]),
        {"name": "environmental services"},
    )
    assert response.context["form"].errors["name"] == [
        "A department with this name already exists."
    ]
    assert Department.objects.count() == 1


def test_it_refuses_a_code_under_an_inactive_category(client, administrator, catalogue):
    category = catalogue["category"]
    category.is_active = False
    category.save()
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_create", args=["problem-code"]), code_form_data(catalogue)
    )
    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    assert not ProblemCode.objects.filter(code="TV").exists()


def test_it_refuses_a_provider_under_a_department_that_is_inactive_in_the_meantime(
    client, administrator
):
    # The form offered the department while it was active; the service checks again on save.
    department = DepartmentFactory(name="Parks")
    client.force_login(administrator)
    page = client.get(reverse("hierarchy:item_create", args=["provider"]))
    assert department in page.context["form"].fields["department"].queryset
    Department.objects.filter(pk=department.pk).update(is_active=False)
    response = client.post(
        reverse("hierarchy:item_create", args=["provider"]),
        {"department": department.pk, "name": "Park Maintenance"},
    )
    assert "department" in response.context["form"].errors
    assert not ServiceProvider.objects.exists()


def test_an_invalid_form_over_htmx_answers_the_form_alone(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_create", args=["department"]),
        {"name": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="item-form"' in response.content
    assert b"This field is required." in response.content


def test_a_valid_form_over_htmx_redirects_the_browser(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_create", args=["department"]),
        {"name": "Water"},
        headers={"HX-Request": "true"},
    )
    department = Department.objects.get(name="Water")
    assert response["HX-Redirect"] == department.get_absolute_url()


def test_it_saves_an_edit_and_counts_the_version(client, administrator, catalogue):
    appl = catalogue["appl"]
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_edit", args=["problem-code", appl.pk]),
        code_form_data(catalogue, code="APPL", name="Appliance collection", version=appl.version),
    )
    assert response.status_code == 302
    appl.refresh_from_db()
    assert appl.name == "Appliance collection"
    assert appl.version == 2


def test_the_second_of_two_edits_is_refused_and_shows_the_first(
    client, administrator, supervisor, catalogue
):
    appl = catalogue["appl"]
    opened_at = appl.version
    url = reverse("hierarchy:item_edit", args=["problem-code", appl.pk])
    client.force_login(administrator)
    client.post(url, code_form_data(catalogue, code="APPL", name="First", version=opened_at))

    response = client.post(
        url, code_form_data(catalogue, code="APPL", name="Second", version=opened_at)
    )

    appl.refresh_from_db()
    assert appl.name == "First"
    assert response.status_code == 200
    content = response.content.decode()
    assert "saved this problem code while you were editing it" in content
    assert response.context["differences"][0]["theirs"] == "First"
    assert response.context["differences"][0]["yours"] == "Second"
    # What this user typed is still in the form, now at the current version.
    assert response.context["form"]["name"].value() == "Second"
    assert int(response.context["form"]["version"].value()) == appl.version


def test_saving_again_after_a_conflict_keeps_the_second_edit(client, administrator, catalogue):
    appl = catalogue["appl"]
    url = reverse("hierarchy:item_edit", args=["problem-code", appl.pk])
    client.force_login(administrator)
    client.post(url, code_form_data(catalogue, code="APPL", name="First", version=1))
    conflict = client.post(url, code_form_data(catalogue, code="APPL", name="Second", version=1))
    current_version = conflict.context["form"]["version"].value()

    client.post(url, code_form_data(catalogue, code="APPL", name="Second", version=current_version))

    appl.refresh_from_db()
    assert appl.name == "Second"


def test_an_edit_without_a_version_is_treated_as_a_conflict(client, administrator, catalogue):
    department = catalogue["department"]
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_edit", args=["department", department.pk]), {"name": "Renamed"}
    )
    department.refresh_from_db()
    assert department.name == "Environmental Services"
    assert response.context["differences"]


def test_agents_cannot_open_the_forms(client, agent, catalogue):
    client.force_login(agent)
    assert client.get(reverse("hierarchy:item_create", args=["department"])).status_code == 403
    edit = reverse("hierarchy:item_edit", args=["department", catalogue["department"].pk])
    assert client.post(edit, {"name": "Hacked", "version": 1}).status_code == 403
    catalogue["department"].refresh_from_db()
    assert catalogue["department"].name == "Environmental Services"


def test_anonymous_users_are_sent_to_log_in(client, catalogue):
    response = client.post(reverse("hierarchy:item_create", args=["department"]), {"name": "X"})
    assert response.status_code == 302
    assert not Department.objects.filter(name="X").exists()


def test_an_empty_post_gets_errors_not_a_blank_form(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("hierarchy:item_create", args=["department"]), {})
    assert response.context["form"].errors["name"] == ["This field is required."]
