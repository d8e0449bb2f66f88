"""An agent takes one call of each type, clicked in a real Chromium."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from requests_app.models import CustomerRequest, RequestType, Status
from tests.browser.test_catalogue_journeys import go_to, log_in
from tests.factories import customer_with_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def start_call(page: Page) -> CustomerRequest:
    page.get_by_role("button", name="New request").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CR-")
    number = re.search(r"CR-\d{4}-\d+", page.get_by_role("heading", level=1).inner_text())[0]
    return CustomerRequest.objects.get(number=number)


def save(page: Page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("was saved")


def test_an_agent_takes_one_call_of_each_type(page: Page, live_server, agent, catalogue):
    grace = customer_with_phone(
        "+49301234567", name="Grace Hopper", postal_address="12 Main Street"
    )
    log_in(page, live_server, "agent")

    # 1. Information, then Action: the caller is found by a number typed another way.
    first = start_call(page)
    page.get_by_label("Phone").fill("0049 30 1234567")
    expect(page.locator("#caller-matches")).to_contain_text("Grace Hopper")
    page.get_by_role("button", name="Use Grace Hopper").click()
    expect(page.locator(".picked-customer")).to_contain_text("Grace Hopper")
    page.get_by_label("Answer given").fill("Appliances are collected on request.")
    page.get_by_role("radio", name="Action").check()
    expect(page.get_by_label("Answer given")).to_be_hidden()
    page.get_by_role("searchbox", name="Problem code").fill("appl")
    expect(page.get_by_role("radio", name=re.compile("APPL · Appliance pickup"))).to_be_visible()
    page.get_by_role("searchbox", name="Problem code").press("ArrowDown")
    # The work-order part above the address answers the picked code; a click before it arrives
    # can land where the button was before the part grew.
    expect(page.locator("#work-order-check")).to_contain_text("Saving creates the work order")
    page.get_by_role("button", name="Copy caller address").click()
    expect(page.get_by_label("Work address")).to_have_value("12 Main Street")
    page.get_by_label("Description").fill("Old fridge at the kerb")
    save(page)
    first.refresh_from_db()
    assert (first.request_type, first.customer, first.problem_code) == (
        RequestType.ACTION,
        grace,
        catalogue["appl"],
    )
    assert first.answer_given == "Appliances are collected on request."
    assert first.changes.filter(field="request_type", new_value="action").exists()
    expect(page.get_by_role("region", name="Contacts and history")).to_contain_text("Information")

    # 2. A comment closes when it is saved.
    second = start_call(page)
    page.get_by_role("radio", name="Comment").check()
    page.get_by_role("textbox", name="Comment").fill("The crew was very helpful.")
    save(page)
    second.refresh_from_db()
    assert second.status == Status.CLOSED

    # 3. An information request that needs a callback.
    third = start_call(page)
    page.get_by_label("Name").fill("Alan")
    page.get_by_label("Answer given").fill("Will find out who is responsible.")
    page.get_by_label("Status", exact=True).select_option(label="Needs follow-up")
    due = timezone.localtime() + timezone.timedelta(days=1)
    page.get_by_label("Follow-up due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Who calls back").select_option(label="agent")
    save(page)
    go_to(page, "My follow-ups")
    expect(page.get_by_role("link", name=third.number)).to_be_visible()
