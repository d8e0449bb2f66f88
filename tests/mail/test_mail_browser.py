"""An agent reads an e-mailed request in a real Chromium: the conversation on the request's
page, the HTML version behind its summary, the attachment as a download; an administrator
adds a mailbox."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from mail.models import Mailbox
from mail.services import mail_receive
from tests.browser.test_accessibility import serious_violations, signed_in
from tests.browser.test_catalogue_journeys import go_to, log_in
from tests.mail.helpers import PDF, message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_reads_an_emailed_request_and_its_attachment(
    page: Page, live_server, agent, mailbox
):
    mail = message(
        text="The light is out.",
        html="<p>The light is <b>out</b>.</p><script>document.title='owned'</script>",
    )
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="Site plan.pdf")
    request = mail_receive(mailbox=mailbox, raw=bytes(mail)).request
    errors = []
    page.on("console", lambda entry: entry.type == "error" and errors.append(entry.text))

    log_in(page, live_server, "agent")
    page.goto(live_server.url + request.get_absolute_url())
    section = page.get_by_role("region", name="E-mails of this request")
    expect(section).to_contain_text("The light is out.")
    expect(section).to_contain_text("We received your message")  # our acknowledgement
    html_version = section.get_by_text("Show the HTML version")
    html_version.click()
    expect(section.locator(".mail-html-body b")).to_have_text("out")
    assert page.title() != "owned"

    with page.expect_download() as download:
        section.get_by_role("link", name="Site plan.pdf").click()
    assert download.value.suggested_filename == "Site plan.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    assert not [text for text in errors if "Content Security Policy" in text]


def test_an_administrator_adds_a_mailbox(page: Page, live_server, administrator):
    log_in(page, live_server, "admin")
    go_to(page, "Mailboxes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mailboxes")
    page.get_by_role("link", name="New mailbox").click()
    page.get_by_label("Address", exact=True).fill("post@city.example")
    page.get_by_label("Name", exact=True).fill("Post room")
    page.get_by_label("Password variable").fill("POST_IMAP_PASSWORD")
    page.get_by_label("Fax senders").fill("fax@telco.example")
    page.get_by_role("button", name="Save the mailbox").click()
    expect(page.get_by_role("status")).to_contain_text("post@city.example was saved")
    expect(page.get_by_role("link", name="post@city.example")).to_be_visible()
    mailbox = Mailbox.objects.get()
    assert mailbox.password_variable == "POST_IMAP_PASSWORD"
    assert mailbox.is_fax_sender("fax@telco.example")


def test_the_email_section_has_no_serious_accessibility_violation(
    browser: Browser, live_server, agent, mailbox
):
    mail = message(html="<table><tr><td>Main Street 5</td></tr></table>")
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="plan.pdf")
    mail.add_attachment(b"MZ", maintype="application", subtype="x-msdownload", filename="x.exe")
    request = mail_receive(mailbox=mailbox, raw=bytes(mail)).request
    tab = signed_in(browser, live_server, "agent")
    tab.goto(live_server.url + request.get_absolute_url())
    tab.get_by_text("Show the HTML version").click()
    assert serious_violations(tab) == []


def test_the_mailbox_pages_have_no_serious_accessibility_violation(
    browser: Browser, live_server, administrator, mailbox
):
    tab = signed_in(browser, live_server, "admin")
    for path in ("/mail/mailboxes/", "/mail/mailboxes/new/", f"/mail/mailboxes/{mailbox.pk}/"):
        assert tab.goto(live_server.url + path).status == 200
        assert serious_violations(tab) == [], path
