"""An agent reads a request's whole conversation in a real Chromium: one timeline of the web
report, the call and the e-mail, newest first, narrowed to one kind by its link, and the
customer's timeline of all their requests; both pass axe."""

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from calls.models import Queue
from mail.services import mailbox_save
from tests.browser.test_accessibility import serious_violations, signed_in
from tests.calls.test_call_pages import answered
from tests.requests_app.test_timeline import web_report, written_about

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_reads_the_whole_conversation_and_narrows_it(
    browser: Browser, live_server, agent, catalogue, settings, tmp_path
):
    settings.MAIL_ATTACHMENTS_DIR = tmp_path / "mail"
    mailbox = mailbox_save(
        values={"address": "service@city.example", "name": "City service desk", "language": "en"}
    )
    Queue.objects.create(name="City line", number="311", ring_seconds=20)
    request = web_report(catalogue).request
    answered("c1", agent, timezone.now()).requests.add(request)
    written_about(mailbox, request, text="Is anyone coming?")

    tab = signed_in(browser, live_server, "agent")
    tab.goto(live_server.url + request.get_absolute_url())
    timeline = tab.get_by_role("region", name="Contacts and history")
    headings = timeline.get_by_role("heading", level=3)
    expect(headings.first).to_contain_text("E-mail received")
    expect(timeline).to_contain_text("Is anyone coming?")
    expect(timeline).to_contain_text("Incoming call")
    expect(timeline).to_contain_text("Which appliance?")
    assert serious_violations(tab) == []

    timeline.get_by_role("navigation").get_by_role("link", name="Calls").click()
    timeline = tab.get_by_role("region", name="Contacts and history")
    expect(timeline.get_by_role("heading", level=3)).to_have_count(1)
    expect(timeline.get_by_role("heading", level=3)).to_contain_text("Incoming call")
    expect(timeline.get_by_role("link", name="Calls")).to_have_attribute("aria-current", "true")

    tab.goto(live_server.url + request.customer.get_absolute_url())
    timeline = tab.get_by_role("region", name="All contacts and history")
    expect(timeline.get_by_role("link", name=request.number).first).to_be_visible()
    assert serious_violations(tab) == []
