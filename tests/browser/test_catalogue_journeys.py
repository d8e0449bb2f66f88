"""User journeys through the catalogue, clicked in a real Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from hierarchy.models import ProblemCode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server, username: str, password: str = "demo") -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".account-menu summary")).to_contain_text(username)
    # The page's deferred script (shortcuts, focus) has run by "load": a key pressed before
    # it would be lost on a busy machine.
    page.wait_for_load_state()


def log_out(page: Page) -> None:
    """Log out from the account menu, as a person does."""
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()


def go_to(page: Page, name: str) -> None:
    """Follow a link of the main navigation, opening the menu it is in first (in any language)."""
    link = page.locator(".mainnav").get_by_role("link", name=name, exact=True, include_hidden=True)
    if not link.is_visible():
        link.locator("xpath=ancestor::details[1]/summary").click()
    link.click()


def test_a_user_logs_in_and_out(page: Page, live_server, agent):
    page.goto(f"{live_server.url}/catalogue/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/catalogue/"))
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")

    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/catalogue/$"))
    expect(page.get_by_text("agent", exact=True)).to_be_visible()

    log_out(page)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_an_administrator_adds_a_code_and_deactivates_it(
    page: Page, live_server, administrator, catalogue
):
    log_in(page, live_server, "admin")
    go_to(page, "Service catalogue")
    # Expand the tree level by level, as a person does.
    page.locator("summary", has_text="Environmental Services").click()
    page.locator("summary", has_text="Solid Waste").click()
    page.locator("summary", has_text="Household garbage collection").click()
    expect(page.get_by_role("link", name=re.compile("APPL · Appliance pickup"))).to_be_visible()

    page.get_by_role("link", name="Add a problem code to Household garbage collection").click()
    expect(page.get_by_label("Service category")).to_have_value(str(catalogue["category"].pk))
    page.get_by_role("textbox", name="Code", exact=True).fill("appl")
    page.get_by_role("textbox", name="Name", exact=True).fill("Television pickup")
    page.get_by_role("button", name="Save").click()
    # A duplicate code is refused next to the field, and nothing typed is lost.
    expect(page.locator("#id_code_error")).to_have_text("Error: This code is already in use.")
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Television pickup")

    page.get_by_role("textbox", name="Code", exact=True).fill("tv")
    page.get_by_label("Permanent fix within (days)").fill("7")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("TV · Television pickup")
    expect(page.get_by_role("status")).to_contain_text("was created")

    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("was deactivated")
    assert ProblemCode.objects.get(code="TV").is_active is False


def test_an_agent_picks_a_code_by_typing_and_with_the_keyboard(
    page: Page, live_server, agent, catalogue
):
    log_in(page, live_server, "agent")
    go_to(page, "Problem code lookup")
    search = page.get_by_role("searchbox", name="Problem code")
    search.fill("missed")
    expect(page.get_by_role("radio", name=re.compile("MISS · Missed collection"))).to_be_visible()
    search.fill("appli")
    option = page.get_by_role("radio", name=re.compile("APPL · Appliance pickup"))
    expect(option).to_be_visible()
    search.press("ArrowDown")
    expect(option).to_be_focused()
    expect(option).to_be_checked()
    details = page.locator("#code-details")
    expect(details).to_contain_text("Collect household appliance")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"problem_code={catalogue['appl'].pk}"))
    expect(details).to_contain_text("Permanent fix by")


def test_an_agent_picks_a_code_by_walking_the_catalogue(page: Page, live_server, agent, catalogue):
    log_in(page, live_server, "agent")
    page.goto(f"{live_server.url}/catalogue/lookup/")
    page.get_by_text("Browse by department", exact=True).click()
    page.get_by_label("Department", exact=True).select_option(label="Environmental Services")
    provider = page.get_by_label("Service provider")
    expect(provider).to_be_enabled()
    provider.select_option(label="Solid Waste")
    category = page.get_by_label("Service category")
    expect(category).to_be_enabled()
    category.select_option(label="Household garbage collection")
    page.get_by_role("radio", name=re.compile("MISS · Missed collection")).check()
    expect(page.locator("#code-details")).to_contain_text("Missed collection")


def test_the_interface_speaks_norwegian(page: Page, live_server, agent, catalogue):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Language").select_option("nb")
    page.get_by_role("button", name="Change").click()
    page.get_by_label("Brukernavn").fill("agent")
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    go_to(page, "Tjenestekatalog")
    expect(page.get_by_role("heading", name="Tjenestekatalog", level=1)).to_be_visible()
