"""A resident reports a problem on the web form, without an account, in Norwegian Bokmål, and
opens the status page from the confirmation; the form, its errors and the status page pass
axe-core and work by keyboard.

The Norwegian texts are looked up in the nb catalogue as the page would (they are English until
the catalogue has them); that the page is Norwegian is checked by its lang and by Django's own
Norwegian messages."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, expect

from open311.models import WebReport
from requests_app.models import Channel, RequestType
from tests.browser.test_accessibility import HEIGHT, WIDTH, serious_violations
from tests.residents.conftest import town  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def norwegian(text: str) -> str:
    with translation.override("nb"):
        return gettext(text)


def test_a_resident_reports_in_norwegian_and_follows_the_status_link(
    page: Page,
    live_server,
    town,  # noqa: F811
):
    refused = []  # what the Content-Security-Policy refused: no inline script or style
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/report/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language-select").select_option("nb")
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text(norwegian("Report a problem"))

    page.get_by_label(norwegian("What is the problem?")).select_option(label="Street light out")
    page.get_by_label(norwegian("Describe the problem")).fill("Lyset er borte siden mandag.")
    page.get_by_label(norwegian("Your name")).fill("Kari Nordmann")
    page.get_by_label(norwegian("E-mail address")).fill("kari@example.no")
    page.wait_for_timeout(3_100)  # a person takes longer than PUBLIC_REPORT_MIN_SECONDS
    send = page.get_by_role("button", name=norwegian("Send the report"))
    send.click()
    # Without the place: Django's own Norwegian says so, beside what was typed.
    expect(page.get_by_role("alert")).to_contain_text(norwegian("This field is required."))
    expect(page.get_by_label(norwegian("Your name"))).to_have_value("Kari Nordmann")
    page.get_by_label(norwegian("Where is it?")).fill("Storgata 12")
    send.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        norwegian("Thank you for your report")
    )
    web_report = WebReport.objects.select_related("request").get()
    request = web_report.request
    assert (request.request_type, request.channel) == (RequestType.ACTION, Channel.WEB)
    assert request.work_address == "Storgata 12"
    expect(page.locator("main")).to_contain_text(request.number)
    expect(page.locator("main")).to_contain_text(web_report.token)  # the code for the lookup form

    page.get_by_role("link", name=web_report.token).click()
    expect(page).to_have_url(
        live_server.url + reverse("residents:status", args=[request.number, web_report.token])
    )
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_contain_text(request.number)
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        norwegian("Open: we are working on it")
    )
    expect(page.locator("main")).to_contain_text("Storgata 12")
    expect(page.locator("main")).to_contain_text("Lyset er borte siden mandag.")
    expect(page.locator("main")).not_to_contain_text("Kari")
    assert refused == []


def test_the_form_by_keyboard_keeps_what_was_typed_and_every_page_passes_axe(
    browser: Browser,
    live_server,
    town,  # noqa: F811
):
    # axe is injected as a script tag, which the Content-Security-Policy (rightly) refuses.
    context = browser.new_context(bypass_csp=True, viewport={"width": WIDTH, "height": HEIGHT})
    tab = context.new_page()
    tab.goto(f"{live_server.url}/report/")
    assert serious_violations(tab) == []

    tab.get_by_label("Describe the problem").fill("Dark since Monday.")
    tab.get_by_label("E-mail address").fill("not an address")
    tab.wait_for_timeout(3_100)  # a person takes longer than PUBLIC_REPORT_MIN_SECONDS
    tab.get_by_role("button", name="Send the report").press("Enter")
    summary = tab.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Where is it?: This field is required.")
    expect(tab.get_by_label("Describe the problem")).to_have_value("Dark since Monday.")
    expect(tab.get_by_label("E-mail address")).to_have_value("not an address")
    assert serious_violations(tab) == []  # the page with its errors too
    # The trap is out of reach: Tab from the last field goes to the button.
    tab.get_by_label("Phone number").focus()
    tab.keyboard.press("Tab")
    expect(tab.get_by_role("button", name="Send the report")).to_be_focused()

    summary.get_by_role("link", name="Where is it?: This field is required.").click()
    expect(tab.get_by_label("Where is it?")).to_be_focused()
    tab.keyboard.type("12 Main Street")
    tab.get_by_label("What is the problem?").select_option("POTH")
    # The pothole's questions appear at once (the street light's stay hidden).
    size = tab.get_by_role("group", name="How large is the hole?")
    expect(size).to_be_visible()
    expect(tab.get_by_label("The number on the pole?")).to_be_hidden()
    size.get_by_label("Larger").check()
    tab.get_by_label("E-mail address").fill("")
    # At once: the form was timed when it was first shown, not again after its errors.
    tab.get_by_role("button", name="Send the report").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank you for your report")
    assert serious_violations(tab) == []

    web_report = WebReport.objects.select_related("request").get()
    assert web_report.attributes == {"SIZE": "large"}
    tab.get_by_role("link", name=web_report.token).click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(web_report.request.number)
    assert serious_violations(tab) == []
    tab.goto(f"{live_server.url}/status/{web_report.request.number}/{'0' * 32}/")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Request not found")
    assert serious_violations(tab) == []
    tab.goto(f"{live_server.url}/status/")
    assert serious_violations(tab) == []
    context.close()
