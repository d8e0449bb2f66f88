"""Callers become customers by saving their request: the next call from the same number finds
them, however the number is typed, clicked in a real Chromium."""

import pytest
from playwright.sync_api import Page, expect

from requests_app.models import Customer
from tests.browser.test_catalogue_journeys import log_in
from tests.browser.test_request_journeys import save, start_call
from tests.factories import customer_with_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caller_typed_once_is_found_the_next_time_typed_otherwise(page: Page, live_server, agent):
    log_in(page, live_server, "agent")

    first = start_call(page)
    expect(page.get_by_role("button", name="Save as new contact")).to_have_count(0)
    page.get_by_label("Phone").fill("+47 22 12 34 56")
    expect(page.locator("#caller-matches")).to_contain_text("No known caller")
    page.get_by_label("Answer given").fill("Bulky waste is collected on Tuesdays.")
    save(page)
    customer = Customer.objects.get()
    first.refresh_from_db()
    assert first.customer == customer
    assert customer.name == "+47 22 12 34 56"

    second = start_call(page)
    page.get_by_label("Phone").fill("0047 22123456")
    matches = page.locator("#caller-matches")
    expect(matches).to_contain_text("+47 22 12 34 56")
    expect(matches.get_by_role("link", name=first.number)).to_be_visible()
    page.get_by_role("button", name="Use +47 22 12 34 56").click()
    expect(page.locator(".picked-customer")).to_contain_text("+47 22 12 34 56")
    second.refresh_from_db()
    assert second.customer == customer
    assert Customer.objects.count() == 1


def test_a_caller_of_two_customers_is_chosen_not_guessed(page: Page, live_server, agent):
    customer_with_phone("+49301234567", name="Grace Hopper")
    ada = customer_with_phone("+49301234567", name="Ada Lovelace")
    log_in(page, live_server, "agent")

    call = start_call(page)
    page.get_by_label("Phone").fill("030 1234567")
    page.get_by_label("Name").fill("Ada")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("choose the caller")
    expect(page.get_by_label("Name")).to_have_value("Ada")
    page.get_by_role("button", name="Use Ada Lovelace").click()
    expect(page.locator(".picked-customer")).to_contain_text("Ada Lovelace")
    call.refresh_from_db()
    assert call.customer == ada
    assert Customer.objects.count() == 2
