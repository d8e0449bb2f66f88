"""Work orders and requests print cleanly: no navigation, buttons or live helpers, no empty
fields; what the crew needs (the caller's description and contact) is on the paper."""

import pytest
from playwright.sync_api import Page, expect

from requests_app.models import RequestType
from requests_app.services import request_save, request_start
from tests.browser.test_catalogue_journeys import log_in
from tests.factories import customer_with_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def reported(agent, catalogue, email="ada@example.org"):
    customer = customer_with_phone("+4722334455", name="Ada Lovelace", email=email)
    request = request_start(agent=agent)
    return request_save(
        request=request,
        values={
            "request_type": RequestType.ACTION,
            "customer": customer,
            "caller_name": "Ada Lovelace",
            "caller_phone": "+4722334455",
            "caller_email": email,
            "problem_code": catalogue["appl"],
            "work_address": "12 Main Street",
            "description": "Old fridge at the kerb, behind the blue gate",
        },
        expected_version=request.version,
        user=agent,
    )


def test_a_work_order_prints_for_the_crew_without_the_screens_furniture(
    page: Page, live_server, agent, catalogue
):
    work_order = reported(agent, catalogue).work_order
    log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}{work_order.get_absolute_url()}")
    navigation = page.get_by_role("navigation", name="Main navigation")
    assignee = page.get_by_text("Assignee or crew").first  # empty: "—" on screen
    expect(navigation).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    expect(assignee).to_be_visible()

    page.emulate_media(media="print")
    expect(navigation).to_be_hidden()
    expect(page.get_by_role("button", name="Save")).to_be_hidden()
    expect(page.get_by_role("heading", name="Status and details")).to_be_hidden()
    expect(page.get_by_role("heading", name="History")).to_be_hidden()  # nothing in it yet
    expect(assignee).to_be_hidden()
    crew = page.get_by_role("region", name="From the caller")
    expect(crew).to_contain_text("Old fridge at the kerb, behind the blue gate")
    expect(crew).to_contain_text("+4722334455")
    expect(crew).to_contain_text("ada@example.org")
    expect(page.get_by_role("heading", level=1)).to_contain_text(work_order.number)


def test_a_request_prints_its_values_without_empty_fields_or_live_helpers(
    page: Page, live_server, agent, catalogue
):
    request = reported(agent, catalogue, email="")
    log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}{request.get_absolute_url()}")
    email = page.get_by_role("textbox", name="E-mail")
    unchosen = page.get_by_role("radio", name="Information")
    expect(email).to_be_visible()
    expect(email).to_have_value("")
    expect(unchosen).to_be_visible()

    page.emulate_media(media="print")
    for button in page.get_by_role("button").all():
        expect(button).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_hidden()
    expect(email).to_be_hidden()  # an empty field
    expect(page.locator(".radio-pill", has=unchosen)).to_be_hidden()  # a type not chosen
    expect(page.get_by_label("Description")).to_be_visible()
    expect(page.get_by_label("Description")).to_have_value(
        "Old fridge at the kerb, behind the blue gate"
    )
    expect(page.get_by_label("Work address")).to_be_visible()
    expect(page.locator("[role=timer]")).to_be_hidden()
