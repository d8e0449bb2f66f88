"""The one "save, or show the conflict" helper (callcenter.concurrency.save_or_conflict), and the
views that use it answering a conflict the same way over HTMX and without it."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.services import user_fingerprint
from callcenter.concurrency import save_or_conflict
from hierarchy.forms import DepartmentForm
from hierarchy.models import Department
from hierarchy.services import catalogue_item_update
from requests_app.services import request_start
from tests.accounts.test_user_views import edit_data
from tests.requests_app.test_request_views import edit_url, form_data
from tests.workorders.test_views import action_request, due
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

CONFLICT = "Someone saved it first."
HTMX = {"HX-Request": "true"}


def department_form(department: Department, name: str, version: int | None) -> DepartmentForm:
    form = DepartmentForm(
        {"name": name, "description": "", "version": "" if version is None else version},
        instance=Department.objects.get(pk=department.pk),
    )
    assert form.is_valid(), form.errors
    return form


def save_department(form: DepartmentForm, user: User):
    return lambda: catalogue_item_update(
        item=form.instance,
        values=form.changed_values(),
        expected_version=form.cleaned_data["version"],
        user=user,
    )


def test_it_returns_what_the_service_saved(catalogue, administrator):
    department = catalogue["department"]
    form = department_form(department, "Environment", department.version)

    attempt = save_or_conflict(form, save_department(form, administrator), CONFLICT)

    assert attempt.saved.name == "Environment"
    assert attempt.current is None and attempt.differences == []
    assert Department.objects.get(pk=department.pk).name == "Environment"


def test_a_conflict_keeps_the_input_at_the_current_version_beside_theirs(catalogue, administrator):
    department = catalogue["department"]
    opened_at = department.version
    theirs = department_form(department, "Theirs", opened_at)
    save_or_conflict(theirs, save_department(theirs, administrator), CONFLICT)
    mine = department_form(department, "Mine", opened_at)

    attempt = save_or_conflict(mine, save_department(mine, administrator), CONFLICT)

    assert attempt.saved is None
    assert Department.objects.get(pk=department.pk).name == "Theirs"
    assert attempt.differences == [{"label": "Name", "theirs": "Theirs", "yours": "Mine"}]
    assert attempt.form["name"].value() == "Mine"
    assert int(attempt.form["version"].value()) == opened_at + 1
    assert attempt.form.non_field_errors() == [CONFLICT]
    # Saving the rebound form again keeps this user's input, knowingly.
    again = department_form(department, "Mine", int(attempt.form["version"].value()))
    assert save_or_conflict(again, save_department(again, administrator), CONFLICT).saved
    assert Department.objects.get(pk=department.pk).name == "Mine"


def test_the_conflict_message_can_name_who_saved(catalogue, administrator, supervisor):
    department = catalogue["department"]
    theirs = department_form(department, "Theirs", department.version)
    save_or_conflict(theirs, save_department(theirs, supervisor), CONFLICT)
    mine = department_form(department, "Mine", department.version)

    attempt = save_or_conflict(
        mine,
        save_department(mine, administrator),
        lambda current: f"{current.updated_by} saved it first.",
        compare=None,
    )

    assert attempt.form.non_field_errors() == [f"{supervisor} saved it first."]
    assert attempt.differences == []


def test_a_refusal_of_the_service_goes_into_the_form_and_nothing_is_saved(catalogue):
    department = catalogue["department"]
    form = department_form(department, "Refused", department.version)

    def refuse():
        raise ValidationError({"name": "Not this name."})

    attempt = save_or_conflict(form, refuse, CONFLICT)

    assert attempt.saved is None and attempt.form is form
    assert form.errors["name"] == ["Not this name."]
    assert Department.objects.get(pk=department.pk).name == "Environmental Services"


# The views through the helper, over HTMX -------------------------------------------------------


def test_a_catalogue_conflict_over_htmx_answers_the_form_with_the_comparison(
    client, administrator, catalogue
):
    department = catalogue["department"]
    url = reverse("hierarchy:item_edit", args=["department", department.pk])
    client.force_login(administrator)
    opened = {"name": "Theirs", "description": "", "version": department.version}
    client.post(url, opened, headers=HTMX)

    response = client.post(url, {**opened, "name": "Mine"}, headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "Saved by someone else meanwhile" in page
    assert "<td>Theirs</td><td>Mine</td>" in page
    assert Department.objects.get(pk=department.pk).name == "Theirs"


def test_a_user_conflict_over_htmx_answers_the_form_with_the_comparison(
    client, administrator, agent
):
    opened = edit_data(agent)
    client.force_login(administrator)
    url = reverse("accounts:user_edit", args=[agent.pk])
    client.post(url, {**opened, "first_name": "Theirs"}, headers=HTMX)

    response = client.post(url, {**opened, "first_name": "Mine"}, headers=HTMX)

    page = response.content.decode()
    assert "<html" not in page
    assert "Someone changed this user while you were editing it." in page
    assert "<td>Theirs</td><td>Mine</td>" in page
    agent.refresh_from_db()
    assert agent.first_name == "Theirs"


def test_a_password_set_meanwhile_changed_is_refused_and_can_be_set_again(
    client, administrator, agent
):
    client.force_login(administrator)
    url = reverse("accounts:user_password", args=[agent.pk])
    stale = user_fingerprint(agent)
    agent.first_name = "Changed"
    agent.save()
    password = "cobalt-harbour-lantern-42"
    data = {"password": password, "password_again": password, "fingerprint": stale}
    form_fields = client.get(url).context["form"].fields
    data = {name: data.get(name, password) for name in form_fields}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Someone changed this user while you were looking at it" in response.content.decode()
    agent.refresh_from_db()
    assert not agent.check_password(password)
    rebound = response.context["form"]
    assert rebound["fingerprint"].value() == user_fingerprint(agent)
    assert client.post(url, {**data, "fingerprint": rebound["fingerprint"].value()}).status_code
    agent.refresh_from_db()
    assert agent.check_password(password)


def test_a_request_conflict_over_htmx_answers_the_form_with_the_comparison(client, agent):
    customer_request = request_start(agent=agent)
    opened = form_data(customer_request, description="First agent's words")
    client.force_login(agent)
    client.post(edit_url(customer_request), opened)

    response = client.post(
        edit_url(customer_request), {**opened, "description": "Mine"}, headers=HTMX
    )

    page = response.content.decode()
    assert "<html" not in page
    assert "Someone else saved this request" in page
    assert "<td>First agent&#x27;s words</td><td>Mine</td>" in page
    customer_request.refresh_from_db()
    assert customer_request.description == "First agent's words"


def test_a_work_order_conflict_shows_the_work_order_as_saved_meanwhile(client, agent, catalogue):
    work_order = action_request(agent, catalogue["appl"]).work_order
    url = work_order.get_absolute_url()
    opened = {
        "version": work_order.version,
        "status": "open",
        "priority": work_order.priority,
        "assignee": "",
        "due_at": due(work_order),
        "notes": "",
    }
    client.force_login(agent)
    client.post(url, {**opened, "assignee": "Crew 1"})

    response = client.post(url, {**opened, "assignee": "Crew 2"}, headers=HTMX)

    page = response.content.decode()
    assert "<html" not in page
    assert "Someone else saved this work order" in page
    assert "<td>Crew 1</td><td>Crew 2</td>" in page
    assert response.context["work_order"].assignee == "Crew 1"
    assert WorkOrder.objects.get(pk=work_order.pk).assignee == "Crew 1"
