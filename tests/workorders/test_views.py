import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from requests_app.models import RequestType, Status
from requests_app.services import request_save, request_start
from tests.factories import CustomerFactory
from workorders.models import WorkOrder, WorkOrderStatus

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def action_request(agent, code, address="12 Main St.", **caller):
    request = request_start(agent=agent)
    return request_save(
        request=request,
        values={
            "request_type": RequestType.ACTION,
            "problem_code": code,
            "work_address": address,
            **caller,
        },
        expected_version=request.version,
        user=agent,
    )


def due(work_order) -> str:
    """The due date as the form shows it (local time, to the minute)."""
    return timezone.localtime(work_order.due_at).strftime("%Y-%m-%dT%H:%M")


def test_the_list_filters_by_status_code_and_address(client, agent, catalogue):
    appliance = action_request(agent, catalogue["appl"], "12 Main St.").work_order
    missed = action_request(agent, catalogue["missed"], "3 Station Road").work_order
    client.force_login(agent)
    url = reverse("workorders:work_order_list")
    page = client.get(url).content.decode()
    assert appliance.number in page and missed.number in page
    by_code = client.get(url, {"problem_code": "miss"}).content.decode()
    assert missed.number in by_code and appliance.number not in by_code
    by_address = client.get(url, {"q": "main street"}, **HTMX).content.decode()
    assert appliance.number in by_address and missed.number not in by_address
    assert "<html" not in by_address
    by_number = client.get(url, {"q": missed.number.lower()}).content.decode()
    assert missed.number in by_number and appliance.number not in by_number
    completed = client.get(url, {"status": "completed"}).content.decode()
    assert "No work order matches these filters." in completed


def test_an_agent_completes_a_work_order_from_its_page(client, agent, catalogue):
    request = action_request(agent, catalogue["appl"])
    work_order = request.work_order
    client.force_login(agent)
    page = client.get(work_order.get_absolute_url()).content.decode()
    assert request.number in page
    response = client.post(
        work_order.get_absolute_url(),
        {
            "version": work_order.version,
            "status": "completed",
            "priority": work_order.priority,
            "due_at": due(work_order),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.RESOLVED
    page = client.get(work_order.get_absolute_url()).content.decode()
    assert "nothing more to change" in page
    assert "<td>Status</td><td>Open</td><td>Completed" in page


def test_a_stale_edit_shows_both_versions(client, agent, supervisor, catalogue):
    work_order = action_request(agent, catalogue["appl"]).work_order
    stale_version = work_order.version
    client.force_login(supervisor)
    client.post(
        work_order.get_absolute_url(),
        {
            "version": stale_version,
            "status": "open",
            "priority": 3,
            "assignee": "Crew 1",
            "due_at": due(work_order),
        },
    )
    client.force_login(agent)
    page = client.post(
        work_order.get_absolute_url(),
        {
            "version": stale_version,
            "status": "open",
            "priority": 3,
            "assignee": "Crew 2",
            "due_at": due(work_order),
        },
    ).content.decode()
    assert "Someone else saved this work order" in page
    assert "Crew 1" in page and 'value="Crew 2"' in page


def test_managers_read_work_orders_and_outsiders_do_not(
    client, agent, manager, outsider, catalogue
):
    work_order = action_request(agent, catalogue["appl"]).work_order
    client.force_login(manager)
    page = client.get(work_order.get_absolute_url()).content.decode()
    assert work_order.number in page
    assert 'name="status"' not in page
    assert client.post(work_order.get_absolute_url(), {"status": "cancelled"}).status_code == 403
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.OPEN
    client.force_login(outsider)
    assert client.get(work_order.get_absolute_url()).status_code == 403


def test_the_request_form_says_already_reported(client, agent, catalogue):
    existing = action_request(agent, catalogue["appl"], "12 Main St.")
    action_request(agent, catalogue["appl"], "12 main street")
    new_call = request_start(agent=agent)
    client.force_login(agent)
    url = reverse("requests_app:request_work_order_check", args=[new_call.pk])
    page = client.get(
        url, {"problem_code": catalogue["appl"].pk, "work_address": "12 MAIN STREET"}, **HTMX
    ).content.decode()
    assert "Already reported" in page
    assert f"Link to {existing.work_order.number}" in page and "2 callers" in page
    assert f'value="{existing.work_order.pk}" checked' in page
    fresh = client.get(
        url, {"problem_code": catalogue["appl"].pk, "work_address": "99 Elm Road"}, **HTMX
    ).content.decode()
    assert "Saving creates the work order “Collect household appliance”." in fresh


def test_the_request_shows_its_work_order_and_the_promise(client, agent, catalogue):
    request = action_request(agent, catalogue["appl"])
    client.force_login(agent)
    page = client.get(request.get_absolute_url()).content.decode()
    assert request.work_order.number in page
    assert "Tell the caller: done by" in page


def test_a_crafted_post_cannot_change_a_completed_work_order(client, agent, catalogue):
    work_order = action_request(agent, catalogue["appl"]).work_order
    client.force_login(agent)
    client.post(
        work_order.get_absolute_url(),
        {
            "version": work_order.version,
            "status": "completed",
            "priority": work_order.priority,
            "due_at": due(work_order),
        },
    )
    completed = WorkOrder.objects.get(pk=work_order.pk)
    later = timezone.localtime() + timedelta(days=60)
    response = client.post(
        work_order.get_absolute_url(),
        {
            "version": completed.version,
            "status": "completed",
            "priority": 1,
            "due_at": later.strftime("%Y-%m-%dT%H:%M"),
            "notes": "Changed afterwards",
        },
    )
    assert response.status_code == 200
    assert f"{work_order.number} is completed: it cannot be changed any more." in (
        response.content.decode()
    )
    saved = WorkOrder.objects.get(pk=work_order.pk)
    assert (saved.version, saved.priority, saved.due_at, saved.notes) == (
        completed.version,
        completed.priority,
        completed.due_at,
        "",
    )


def test_the_due_date_is_required_in_the_form(client, agent, catalogue):
    work_order = action_request(agent, catalogue["appl"]).work_order
    client.force_login(agent)
    page = client.get(work_order.get_absolute_url()).content.decode()
    assert re.search(r'<input type="datetime-local" name="due_at"[^>]* required', page)
    response = client.post(
        work_order.get_absolute_url(),
        {"version": work_order.version, "status": "open", "priority": 3, "due_at": ""},
    )
    assert response.context["form"].errors["due_at"] == ["This field is required."]
    assert WorkOrder.objects.get(pk=work_order.pk).due_at == work_order.due_at


def test_managers_see_work_orders_without_the_callers_personal_data(
    client, agent, supervisor, manager, catalogue
):
    customer = CustomerFactory(name="Grace Hopper", email="grace@example.org")
    first = action_request(
        agent, catalogue["appl"], caller_name="Ada Lovelace", caller_email="ada@example.org"
    )
    second = action_request(agent, catalogue["appl"], customer=customer)
    work_order = first.work_order
    personal = ["Ada Lovelace", "ada@example.org", "Grace Hopper", "grace@example.org"]

    client.force_login(manager)
    detail = client.get(work_order.get_absolute_url()).content.decode()
    listed = client.get(reverse("workorders:work_order_list")).content.decode()
    assert first.number in detail and second.number in detail
    assert work_order.number in listed
    for page in (detail, listed):
        assert not [text for text in personal if text in page]

    for user in (agent, supervisor):
        client.force_login(user)
        detail = client.get(work_order.get_absolute_url()).content.decode()
        assert all(text in detail for text in ["Ada Lovelace", "ada@example.org", "Grace Hopper"])


def test_the_crew_reads_the_callers_description_and_contact(
    client, agent, supervisor, manager, catalogue
):
    first = action_request(
        agent,
        catalogue["appl"],
        caller_name="Ada Lovelace",
        caller_phone="+4722334455",
        caller_email="ada@example.org",
        description="Old fridge behind the blue gate",
    )
    action_request(agent, catalogue["appl"], caller_name="Grace Hopper", description="Also here")
    work_order = first.work_order
    region = re.compile(r'aria-labelledby="reported-heading">(.*?)</section>', re.S)

    for user in (agent, supervisor):
        client.force_login(user)
        page = client.get(work_order.get_absolute_url()).content.decode()
        reported = region.search(page).group(1)
        assert "Old fridge behind the blue gate" in reported
        assert "Also here" not in reported  # the first report describes it
        assert 'href="tel:+4722334455"' in reported
        assert 'href="mailto:ada@example.org"' in reported and "Ada Lovelace" in reported

    client.force_login(manager)
    page = client.get(work_order.get_absolute_url()).content.decode()
    assert "Old fridge behind the blue gate" in region.search(page).group(1)
    assert not [text for text in ["Ada Lovelace", "+4722334455", "ada@example"] if text in page]


def test_a_work_order_without_a_description_says_so(client, agent, catalogue):
    work_order = action_request(agent, catalogue["appl"]).work_order
    client.force_login(agent)
    page = client.get(work_order.get_absolute_url()).content.decode()
    assert "The callers left no description." in page
