"""An agent answers an e-mailed request from its page in a real Chromium, with the keyboard:
an article inserted into the message by the page's script (no form post), the reply sent."""

import pytest
from playwright.sync_api import Browser, Page, expect

from mail.models import Direction, Mail
from mail.services import mail_receive
from requests_app.services import request_consult
from tests.browser.test_accessibility import serious_violations, signed_in
from tests.browser.test_catalogue_journeys import log_in
from tests.factories import article
from tests.mail.helpers import message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consulted(agent, supervisor, mailbox):
    """An e-mailed request on which the agent opened an article."""
    request = mail_receive(mailbox=mailbox, raw=bytes(message())).request
    lights = article(
        supervisor,
        "Streetlight out",
        body="Repairs take **two days**.\n\n- Tell us the pole number",
    )
    request_consult(request=request, article=lights, user=agent)
    return request


def test_an_agent_inserts_an_article_with_the_keyboard_and_sends_the_reply(
    page: Page, live_server, consulted
):
    errors = []
    page.on("console", lambda entry: entry.type == "error" and errors.append(entry.text))
    log_in(page, live_server, "agent")
    page.goto(live_server.url + consulted.get_absolute_url())
    box = page.get_by_role("region", name="Reply by e-mail")
    expect(box.get_by_label("To")).to_have_value("kari@example.no")
    expect(box.get_by_label("Subject")).to_have_value(
        f"Re: Streetlight out on Main Street [{consulted.number}]"
    )
    message_box = box.get_by_label("Message")
    message_box.fill("Dear Kari,")

    box.get_by_label("Knowledge-base article").focus()
    page.keyboard.press("ArrowDown")
    expect(box.get_by_label("Knowledge-base article")).to_have_value(
        str(consulted.consulted_articles.get().article_id)
    )
    page.keyboard.press("Tab")
    expect(box.get_by_role("button", name="Insert")).to_be_focused()
    page.keyboard.press("Enter")

    # The script put it in, after what was typed; no post: the page is the same.
    expect(message_box).to_be_focused()
    expect(message_box).to_have_value(
        "Dear Kari,\n\nStreetlight out\n\nRepairs take two days.\n\n- Tell us the pole number"
    )
    expect(box.get_by_role("status")).to_have_text("The article was inserted into the message.")
    page.keyboard.type("\n\nKind regards")
    # Ctrl+Enter in the reply sends the reply (the request form's Save is the page's other).
    version = consulted.version
    page.keyboard.press("Control+Enter")

    expect(page.locator(".messages")).to_contain_text("Your e-mail to kari@example.no is queued")
    ours = Mail.objects.get(direction=Direction.OUT, automatic=False)
    assert ours.text.endswith("- Tell us the pole number\n\nKind regards")
    assert ours.subject == f"Re: Streetlight out on Main Street [{consulted.number}]"
    conversation = page.get_by_role("region", name="Contacts and history")
    expect(conversation).to_contain_text("Kind regards")
    expect(conversation).to_contain_text("queued")
    consulted.refresh_from_db()
    assert consulted.version == version
    assert not [text for text in errors if "Content Security Policy" in text]


def test_the_reply_box_has_no_serious_accessibility_violation(
    browser: Browser, live_server, consulted
):
    tab = signed_in(browser, live_server, "agent")
    tab.goto(live_server.url + consulted.get_absolute_url())
    assert serious_violations(tab) == []
    # And with its errors shown.
    box = tab.get_by_role("region", name="Reply by e-mail")
    box.get_by_label("To").fill("not an address")
    box.get_by_role("button", name="Send the e-mail").click()
    expect(tab.locator("#mail-reply .error-summary")).to_be_visible()
    assert serious_violations(tab) == []
