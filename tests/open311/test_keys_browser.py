"""An administrator issues an Open311 key by keyboard, copies it from the one page that shows it,
and revokes it, in a real Chromium."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from open311.models import ApiKey
from open311.services import api_key_for
from tests.browser.test_catalogue_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_creates_a_key_sees_it_once_and_revokes_it(
    page: Page, live_server, administrator
):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}{reverse('open311:key_list')}")
    page.get_by_label("Name").focus()
    page.keyboard.type("FixMyStreet")
    page.keyboard.press("Enter")

    shown = page.get_by_label("API key")
    expect(shown).to_be_focused()
    key = shown.input_value()
    assert api_key_for(key) == ApiKey.objects.get(name="FixMyStreet")

    page.reload()  # the key is not shown again, and no other key is made
    expect(page.get_by_label("API key")).to_have_count(0)
    expect(page.get_by_role("cell", name="FixMyStreet", exact=True)).to_be_visible()
    assert ApiKey.objects.count() == 1

    revoke = page.get_by_role("button", name="Revoke “FixMyStreet”")
    revoke.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The key “FixMyStreet” is revoked.")
    expect(page.get_by_role("button", name="Revoke “FixMyStreet”")).to_have_count(0)
    assert api_key_for(key) is None
