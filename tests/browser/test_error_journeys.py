"""Errors an agent can act on, in a real Chromium: a failed live lookup says so beside the field
and keeps what was typed; a failed save puts its error summary in view and in focus."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from hierarchy.models import ProblemCode
from tests.browser.test_catalogue_journeys import log_in
from tests.browser.test_request_journeys import start_call
from tests.outage import database_unreachable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def message_beside(page: Page, field_id: str):
    """The failed-request message placed right after the field's block."""
    return page.locator(f".field:has(#{field_id}) + .request-error[role=alert]")


def test_a_lookup_during_a_database_outage_says_so_beside_the_field(page: Page, live_server, agent):
    log_in(page, live_server, "agent")
    start_call(page)
    name = page.get_by_label("Name", exact=True)
    with database_unreachable():
        name.fill("Ada Lovelace")
        expect(message_beside(page, "id_caller_name")).to_contain_text(
            "The database cannot be reached"
        )
    expect(name).to_have_value("Ada Lovelace")

    # The database is back: the next lookup from the field works and the message goes.
    name.fill("Ada Lovelace, again")
    expect(page.locator("#caller-matches")).to_contain_text("No known caller matches")
    expect(message_beside(page, "id_caller_name")).to_have_count(0)


def test_a_lookup_without_a_network_says_so_beside_the_field(page: Page, live_server, agent):
    log_in(page, live_server, "agent")
    start_call(page)
    page.route(re.compile(r"/customers/lookup/"), lambda route: route.abort("internetdisconnected"))
    phone = page.get_by_label("Phone", exact=True)
    phone.fill("030 1234567")
    expect(message_beside(page, "id_caller_phone")).to_contain_text("No connection to the server")
    expect(phone).to_have_value("030 1234567")


def test_after_a_failed_save_the_error_summary_is_in_view_and_leads_to_the_field(
    page: Page, live_server, agent
):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, "agent")
    customer_request = start_call(page)
    page.get_by_label("E-mail", exact=True).fill("not-an-address")
    page.get_by_label("Answer given").fill("Bulky waste goes out on Mondays.")
    page.get_by_role("button", name="Save", exact=True).click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(page.get_by_label("Answer given")).to_have_value("Bulky waste goes out on Mondays.")
    customer_request.refresh_from_db()
    assert customer_request.answer_given == ""

    summary.get_by_role("link", name=re.compile("E-mail: Enter a valid email address")).click()
    expect(page.get_by_label("E-mail", exact=True)).to_be_focused()
    expect(page.get_by_label("E-mail", exact=True)).to_be_in_viewport()


def test_an_error_page_leads_back_to_the_previous_page(page: Page, live_server, agent):
    log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/requests/")
    page.goto(f"{live_server.url}/requests/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Page not found")
    page.get_by_role("button", name="Back to the previous page").click()
    expect(page).to_have_url(f"{live_server.url}/requests/")


def test_a_form_sent_by_htmx_focuses_its_new_error_summary(
    page: Page, live_server, administrator, catalogue
):
    log_in(page, live_server, "admin")
    url = reverse("hierarchy:item_create", args=["problem-code"])
    page.goto(f"{live_server.url}{url}?parent={catalogue['category'].pk}")
    page.get_by_role("textbox", name="Code", exact=True).fill("appl")
    page.get_by_role("textbox", name="Name", exact=True).fill("Television pickup")
    page.get_by_role("button", name="Save").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text("Code: This code is already in use.")
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Television pickup")
    assert not ProblemCode.objects.filter(name="Television pickup").exists()
