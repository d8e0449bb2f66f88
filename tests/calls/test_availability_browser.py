"""An agent sets their availability for calls from the header, by mouse and by keyboard, in a
real Chromium, without losing what they were typing."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from calls.models import AgentState, AgentStateChange, PauseReason, State
from tests.browser.test_catalogue_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_goes_available_pauses_and_comes_back_without_leaving_the_page(
    page: Page, live_server, agent
):
    PauseReason.objects.create(name="Break")
    PauseReason.objects.create(name="Training")
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}{reverse('requests_app:request_list')}")
    search = page.locator("#id_q")
    search.fill("half typed")
    dot = page.locator("#availability-dot")
    expect(dot).to_have_class("availability-dot availability-offline")

    # By mouse: the account menu, then Available.
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Available").click()
    expect(dot).to_have_class("availability-dot availability-available")
    expect(page.locator("#availability [role=status]")).to_contain_text("Available")
    assert AgentState.objects.get(user=agent).state == State.AVAILABLE

    # By keyboard: Alt+R opens the pause reasons when available; Enter takes the first.
    search.focus()
    page.keyboard.press("Alt+R")
    first_reason = page.get_by_role("button", name="Pause: Break")
    expect(first_reason).to_be_focused()
    page.keyboard.press("Enter")
    expect(dot).to_have_class("availability-dot availability-paused")
    state = AgentState.objects.get(user=agent)
    assert (state.state, state.pause_reason.name) == (State.PAUSED, "Break")

    # Alt+R again: available, from anywhere on the page.
    search.focus()
    page.keyboard.press("Alt+R")
    expect(dot).to_have_class("availability-dot availability-available")
    expect(search).to_have_value("half typed")
    assert list(AgentStateChange.objects.filter(user=agent).values_list("state", flat=True)) == [
        "available",
        "paused",
        "available",
    ]

    # The shortcut is in the shortcuts panel.
    page.locator(".shortcuts-button").click()
    expect(page.locator("#shortcuts-panel")).to_contain_text("Become available for calls")
