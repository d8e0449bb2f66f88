"""Users and passwords, clicked in a real Chromium: an administrator adds a colleague, who logs
in, changes the password and is logged out on the other browser."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from accounts.services import user_roles
from tests.browser.test_catalogue_journeys import go_to, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_PASSWORD = "cobalt-harbour-lantern-42"
NEW_PASSWORD = "quiet-meadow-violin-77"


def test_an_administrator_adds_a_user_who_changes_the_password(
    page: Page, browser: Browser, live_server, administrator
):
    log_in(page, live_server, "admin")
    go_to(page, "Users")
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Username").fill("jdoe")
    page.get_by_label("First name").fill("Jane")
    page.get_by_label("Last name").fill("Doe")
    page.get_by_label("Email address").fill("jane@example.org")
    page.get_by_role("checkbox", name="Agent").check()
    page.get_by_label("Password", exact=True).fill(FIRST_PASSWORD)
    page.get_by_label("Password again").fill("a-typing-mistake-here")
    page.get_by_role("button", name="Create user").click()
    # The mismatch is refused beside the field, and the rest stays typed.
    expect(page.get_by_text("The two passwords differ.").first).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Jane")
    assert not User.objects.filter(username="jdoe").exists()

    page.get_by_label("Password", exact=True).fill(FIRST_PASSWORD)
    page.get_by_label("Password again").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("jdoe")
    expect(page.get_by_role("status")).to_contain_text("was created")
    jane = User.objects.get(username="jdoe")
    assert user_roles(jane) == ["Agent"]

    # Jane logs in on her own computer and on her phone.
    computer = browser.new_context().new_page()
    phone = browser.new_context().new_page()
    log_in(computer, live_server, "jdoe", FIRST_PASSWORD)
    log_in(phone, live_server, "jdoe", FIRST_PASSWORD)

    computer.locator(".account-menu summary").click()
    computer.get_by_role("link", name="Change password").click()
    computer.get_by_label("Old password").fill(FIRST_PASSWORD)
    computer.get_by_label("New password", exact=True).fill("short")
    computer.get_by_label("New password confirmation").fill("short")
    computer.get_by_role("button", name="Change password").click()
    expect(computer.get_by_text("at least 10 characters").first).to_be_visible()

    computer.get_by_label("Old password").fill(FIRST_PASSWORD)
    computer.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    computer.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    computer.get_by_role("button", name="Change password").click()
    expect(computer.get_by_role("heading", level=1)).to_have_text("Password changed")

    # Still logged in on the computer; the phone was logged out.
    computer.get_by_role("link", name="Back to your day").click()
    expect(computer.locator(".account-menu summary")).to_contain_text("jdoe")
    phone.reload()
    expect(phone.get_by_role("button", name="Log in")).to_be_visible()
    log_in(phone, live_server, "jdoe", NEW_PASSWORD)


def test_an_administrator_gives_a_role_and_deactivates_a_user(
    page: Page, browser: Browser, live_server, administrator, agent
):
    colleague = browser.new_context().new_page()
    log_in(colleague, live_server, "agent")

    log_in(page, live_server, "admin")
    go_to(page, "Users")
    page.get_by_label("Name or username").fill("agent")
    expect(page.get_by_role("link", name="admin", exact=True)).to_have_count(0)
    page.get_by_role("link", name="agent", exact=True).click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("checkbox", name="Supervisor").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("was saved")
    assert user_roles(User.objects.get(username="agent")) == ["Agent", "Supervisor"]

    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("deactivated and logged out everywhere")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inactive")

    colleague.reload()
    expect(colleague).to_have_url(re.compile(r"/login/"))
    colleague.get_by_label("Username").fill("agent")
    colleague.get_by_label("Password").fill("demo")
    colleague.get_by_role("button", name="Log in").click()
    expect(colleague.get_by_role("alert")).to_contain_text("correct username and password")
