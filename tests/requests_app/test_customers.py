"""The customer page: a new request for the customer in one click, and the work still open for
them."""

import pytest
from django.urls import reverse

from requests_app.models import Channel, CustomerRequest, RequestType
from requests_app.services import request_save, request_start
from tests.factories import CustomerFactory, customer_with_phone
from workorders.models import WorkOrderStatus
from workorders.services import work_order_update

pytestmark = pytest.mark.django_db


def new_request_url(customer) -> str:
    return reverse("requests_app:customer_new_request", args=[customer.pk])


def action_request(agent, code, customer, address="12 Main St."):
    request = request_start(agent=agent)
    return request_save(
        request=request,
        values={
            "request_type": RequestType.ACTION,
            "problem_code": code,
            "work_address": address,
            "customer": customer,
        },
        expected_version=request.version,
        user=agent,
    )


def test_a_new_request_for_the_customer_starts_linked_to_them(client, agent):
    customer = customer_with_phone("+4722334455", name="Ada Lovelace", email="ada@example.org")
    client.force_login(agent)
    page = client.get(customer.get_absolute_url()).content.decode()
    assert f'action="{new_request_url(customer)}"' in page
    assert "New request for this customer" in page

    response = client.post(new_request_url(customer), {"channel": Channel.EMAIL})

    started = CustomerRequest.objects.get()
    assert response.url == started.get_absolute_url()
    assert started.customer == customer
    assert started.agent == agent
    assert started.channel == Channel.EMAIL
    assert (started.caller_name, started.caller_phone, started.caller_email) == (
        "Ada Lovelace",
        "+4722334455",
        "ada@example.org",
    )
    form = client.get(started.get_absolute_url()).content.decode()
    assert "Known customer:" in form and "Ada Lovelace" in form


def test_a_customer_without_phone_or_e_mail_still_gets_a_request(client, agent):
    customer = CustomerFactory(name="Grace Hopper")
    client.force_login(agent)
    client.post(new_request_url(customer), {"channel": "carrier pigeon"})
    started = CustomerRequest.objects.get()
    assert (started.customer, started.caller_phone, started.channel) == (
        customer,
        "",
        Channel.PHONE,
    )


def test_a_new_request_for_a_customer_is_a_post_by_someone_who_takes_requests(
    client, agent, manager
):
    customer = CustomerFactory()
    client.force_login(agent)
    assert client.get(new_request_url(customer)).status_code == 405
    assert client.post(reverse("requests_app:customer_new_request", args=[99999])).status_code == (
        404
    )
    client.force_login(manager)
    assert client.post(new_request_url(customer)).status_code == 403
    client.logout()
    assert client.post(new_request_url(customer)).status_code == 302
    assert not CustomerRequest.objects.exists()


def test_the_customer_page_shows_their_open_work_orders(client, agent, catalogue):
    customer = CustomerFactory(name="Ada Lovelace")
    other = CustomerFactory(name="Grace Hopper")
    open_one = action_request(agent, catalogue["appl"], customer).work_order
    done = action_request(agent, catalogue["appl"], customer, "3 Station Road").work_order
    work_order_update(
        work_order=done,
        values={"status": WorkOrderStatus.COMPLETED, "due_at": done.due_at},
        expected_version=done.version,
        user=agent,
    )
    someone_elses = action_request(agent, catalogue["appl"], other, "9 Elm Street").work_order
    # A second report of the same work order by the customer lists it once.
    action_request(agent, catalogue["appl"], customer)

    client.force_login(agent)
    page = client.get(customer.get_absolute_url()).content.decode()
    assert "Open work orders" in page
    section = work_orders_section(page)
    assert section.count(f">{open_one.number}</a>") == 1
    assert done.number not in section
    assert done.number in page  # its completion, in the timeline
    assert someone_elses.number not in page

    page = client.get(other.get_absolute_url()).content.decode()
    section = work_orders_section(page)
    assert someone_elses.number in section and open_one.number not in page
    page = client.get(CustomerFactory().get_absolute_url()).content.decode()
    assert "No open work order for this customer" in page


def work_orders_section(page: str) -> str:
    start = page.index('id="work-orders-heading"')
    return page[start : page.index("</section>", start)]


def test_the_customer_pages_interactions_still_come_as_an_htmx_fragment(client, agent):
    customer = CustomerFactory()
    client.force_login(agent)
    response = client.get(customer.get_absolute_url(), headers={"HX-Request": "true"})
    assert b"<html" not in response.content
    assert b'id="interactions"' in response.content
