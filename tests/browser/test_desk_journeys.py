"""The agent's desk at the speed of a call, in a real Chromium at 1366×768: a whole action request
with the keyboard alone, counted; the focus where the work is; nothing left behind; the knowledge
base in reach."""

import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from requests_app.models import CustomerRequest, RequestType, Status
from tests.browser.test_catalogue_journeys import log_in
from tests.factories import article, customer_with_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1366, 768


class Keyboard:
    """page.keyboard, counting the interactions: a key (with its modifiers) is one, and so is
    a text typed into one field."""

    def __init__(self, page: Page):
        self.page = page
        self.count = 0

    def press(self, keys: str) -> None:
        self.page.keyboard.press(keys)
        self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += 1


def in_view(page: Page, selector: str) -> None:
    """The element is on the screen as it is: inside the viewport without scrolling."""
    expect(page.locator(selector)).to_be_in_viewport(ratio=1)
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert page.evaluate("window.scrollY") == 0
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (selector, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (selector, box)


def desk(page: Page, live_server) -> Keyboard:
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    log_in(page, live_server, "agent")
    return Keyboard(page)


def new_request(keys: Keyboard) -> None:
    """Alt+N, and wait (not a key) until the new request's page and its script are loaded."""
    keys.press("Alt+N")
    expect(keys.page.get_by_role("heading", level=1)).to_contain_text("CR-")
    keys.page.wait_for_load_state()


def current_request(page: Page) -> CustomerRequest:
    number = re.search(r"CR-\d{4}-\d+", page.get_by_role("heading", level=1).inner_text())[0]
    return CustomerRequest.objects.get(number=number)


def test_an_action_request_takes_at_most_ten_keys_and_the_promise_is_in_view(
    page: Page, live_server, agent, catalogue
):
    keys = desk(page, live_server)

    new_request(keys)
    expect(page.get_by_label("Phone")).to_be_focused()
    keys.type("+47 22 33 44 55")
    keys.press("Alt+A")
    picker = page.get_by_role("searchbox", name="Problem code")
    expect(picker).to_be_focused()
    keys.type("appl")
    keys.press("Enter")  # takes the first match, even before the matches are shown
    expect(page.get_by_label("Work address")).to_be_focused()
    expect(page.get_by_role("radio", name=re.compile("APPL · Appliance pickup"))).to_be_checked()
    keys.type("12 Main Street")
    keys.press("Tab")
    expect(page.get_by_label("Description")).to_be_focused()
    keys.type("Old fridge at the kerb")

    # Before saving, what to tell the caller stands beside the problem code, on the screen.
    expect(page.locator("#work-order-check")).to_contain_text("Tell the caller: done by")
    in_view(page, "#work-order-check .promise")
    in_view(page, "[data-call-timer]")

    keys.press("Control+Enter")
    confirmation = page.get_by_role("status").filter(has_text="was saved")
    expect(confirmation).to_be_visible()
    assert keys.count <= 10, keys.count

    saved = CustomerRequest.objects.select_related("work_order").get()
    assert (saved.request_type, saved.problem_code, saved.status) == (
        RequestType.ACTION,
        catalogue["appl"],
        Status.OPEN,
    )
    assert saved.caller_phone == "+4722334455"
    assert (saved.work_address, saved.description) == ("12 Main Street", "Old fridge at the kerb")
    work_order = saved.work_order
    promise = date_format(timezone.localtime(work_order.due_at), "DATE_FORMAT")
    # One line at the top with all the caller must hear, in view, with the focus on it.
    for told in (saved.number, work_order.number, promise):
        expect(confirmation).to_contain_text(told)
    expect(page.locator(".messages")).to_be_focused()
    in_view(page, ".messages")


def test_the_tab_order_follows_the_call_and_skips_the_articles(
    page: Page, live_server, agent, supervisor, catalogue
):
    article(supervisor, "Appliance pickup", problem_codes=[catalogue["appl"]])
    keys = desk(page, live_server)
    new_request(keys)
    keys.press("Alt+A")
    keys.type("appl")
    keys.press("Enter")
    expect(page.locator("#code-articles")).to_contain_text("Appliance pickup")
    page.get_by_label("Phone").focus()
    order = []
    for _step in range(40):
        focused = page.evaluate(
            "(() => { const e = document.activeElement; return e.id"
            " || (e.matches('[data-opens-article]') ? 'article' : e.textContent.trim()); })()"
        )
        order.append(focused)
        if focused == "Save":
            break
        page.keyboard.press("Tab")
    assert "article" not in order
    call = [
        "id_caller_phone",
        "id_caller_email",
        "id_caller_name",
        "id_channel",
        "id_request_type_1",
        "id_problem_code",
        "id_work_address",
        "id_description",
        "id_status",
        "Save",
    ]
    assert [name for name in order if name in call] == call
    # The articles come after Save, and Alt+K reaches them.
    page.keyboard.press("Alt+K")
    expect(page.get_by_label("Search the knowledge base")).to_be_focused()


def test_enter_in_a_caller_field_looks_up_and_presses_no_button(page: Page, live_server, agent):
    customer_with_phone("+4722334455", name="Kari Nordmann")
    keys = desk(page, live_server)
    new_request(keys)
    call = current_request(page)
    page.get_by_label("Phone").fill("0047 22 33 44 55")
    keys.press("Enter")
    expect(page.locator("#caller-matches")).to_contain_text("Kari Nordmann")
    call.refresh_from_db()
    assert call.version == 1 and call.customer is None  # nothing saved, no button pressed
    # A refused save puts the focus on the error summary at the top.
    keys.press("Alt+A")
    keys.press("Control+Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("An action request needs a problem code")
    in_view(page, "[data-error-summary]")


def test_esc_twice_discards_a_blank_request_and_leaving_typed_work_asks_first(
    page: Page, live_server, agent
):
    keys = desk(page, live_server)
    new_request(keys)
    blank = current_request(page)
    keys.press("Escape")
    expect(page.locator("[data-discard-hint]")).to_contain_text("Press Esc again")
    keys.press("Escape")
    expect(page.get_by_role("status")).to_contain_text(f"Request {blank.number} was discarded")
    blank.refresh_from_db()
    assert blank.discarded_at is not None and blank.status == Status.CLOSED
    expect(page.get_by_role("link", name=blank.number)).to_have_count(0)  # not in "My day"

    new_request(keys)
    typed = current_request(page)
    keys.type("030 1234567")
    keys.press("Escape")
    keys.press("Escape")
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    keys.press("Alt+N")  # leaving with the phone typed and not saved
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page.get_by_label("Phone")).to_have_value("030 1234567")
    typed.refresh_from_db()
    assert typed.discarded_at is None
    assert CustomerRequest.objects.count() == 2


def test_the_shortcuts_panel_and_an_article_in_the_drawer(
    page: Page, live_server, agent, supervisor, catalogue
):
    article(supervisor, "Appliance pickup", problem_codes=[catalogue["appl"]])
    article(
        supervisor,
        "Abholung von Haushaltsgeräten",
        problem_codes=[catalogue["appl"]],
        language="de",
        body="\n\n".join(f"Absatz {number}." for number in range(80)),
    )
    keys = desk(page, live_server)
    keys.press("?")
    panel = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Alt+N")
    keys.press("Escape")
    expect(panel).to_be_hidden()

    new_request(keys)
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_attribute(
        "title", "Save (Ctrl+Enter)"
    )
    keys.press("Alt+A")
    keys.type("appl")
    keys.press("Enter")
    articles = page.locator("#code-articles")
    # The agent's language first; the German article folded under "Other languages".
    expect(articles.get_by_role("button", name="Appliance pickup")).to_be_visible()
    expect(articles.get_by_role("button", name="Abholung von Haushaltsgeräten")).to_be_hidden()
    articles.get_by_text("Other languages").click()
    opener = articles.get_by_role("button", name="Abholung von Haushaltsgeräten")
    opener.focus()
    keys.press("Enter")
    drawer = page.locator("#kb-article")
    heading = drawer.get_by_role("heading", name="Abholung von Haushaltsgeräten")
    expect(heading).to_be_focused()
    assert drawer.evaluate("element => element.scrollTop") == 0
    box = drawer.bounding_box()
    assert box["width"] >= 600 and box["x"] + box["width"] <= WIDTH
    keys.press("Escape")
    expect(drawer).to_be_hidden()
    expect(opener).to_be_focused()
