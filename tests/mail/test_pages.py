"""The e-mails on the request's and the customer's page, and their attachments' downloads."""

import pytest
from django.urls import reverse

from mail.services import mail_receive
from tests.mail.helpers import PDF, message

pytestmark = pytest.mark.django_db

HOSTILE_HTML = (
    "<html><head><style>body {display:none}</style></head><body>"
    '<p style="color:red" onclick="steal()">Dear desk,</p>'
    "<script>alert('owned')</script>"
    '<img src="https://tracker.example/pixel.gif">'
    '<a href="javascript:alert(1)">click</a> <a href="https://city.example/info">info</a>'
    "</body></html>"
)


@pytest.fixture
def received(mailbox):
    mail = message(text=None, html=HOSTILE_HTML)
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="Site plan.pdf")
    mail.add_attachment(b"MZ", maintype="application", subtype="x-msdownload", filename="x.exe")
    return mail_receive(mailbox=mailbox, raw=bytes(mail))


def request_page(client, received):
    return client.get(reverse("requests_app:request_edit", args=[received.request.pk]))


def test_the_request_page_lists_its_emails_newest_first(client, agent, received):
    client.force_login(agent)
    html = request_page(client, received).content.decode()
    assert "E-mails of this request" in html
    incoming = html.index("Streetlight out on Main Street</strong>")
    acknowledgement = html.index("We received your message")
    assert acknowledgement < incoming  # ours came after theirs
    assert "kari@example.no" in html
    assert "Site plan.pdf" in html
    assert reverse("mail:attachment", args=[received.attachments.get().pk]) in html
    assert "x.exe" in html and "not a kind of file we keep" in html


def test_the_html_is_shown_only_sanitised(client, agent, received):
    client.force_login(agent)
    html = request_page(client, received).content.decode()
    start = html.index('id="mail-heading"')
    section = html[start : html.index("</section>", start)]
    assert "<details" in section and "Dear desk," in section
    assert "alert(" not in section
    assert "<script" not in section
    assert "tracker.example" not in section
    assert "onclick" not in section
    assert "style=" not in section and "<style" not in section
    assert "javascript:" not in section
    assert 'href="https://city.example/info" rel="noopener noreferrer nofollow"' in section


def test_the_text_is_escaped(client, agent, mailbox):
    kept = mail_receive(mailbox=mailbox, raw=bytes(message(text="<b>bold</b>\nline two")))
    client.force_login(agent)
    html = request_page(client, kept).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;<br>line two" in html


def test_the_customer_page_lists_the_emails_of_their_requests(client, agent, received):
    client.force_login(agent)
    customer = received.request.customer
    html = client.get(reverse("requests_app:customer_detail", args=[customer.pk])).content.decode()
    assert ">E-mails<" in html
    assert received.request.number in html
    assert "Dear desk," in html


def test_a_request_without_email_shows_no_section(client, agent):
    from tests.factories import searched_request

    request = searched_request(agent)
    client.force_login(agent)
    html = client.get(reverse("requests_app:request_edit", args=[request.pk])).content.decode()
    assert "mail-heading" not in html


def test_an_attachment_downloads_as_an_attachment_with_its_type(client, agent, received):
    attachment = received.attachments.get()
    client.force_login(agent)
    response = client.get(reverse("mail:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Site plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_another_agent_may_open_it_as_they_may_open_the_request(client, received):
    from callcenter import roles
    from tests.factories import user_with_role

    colleague = user_with_role(roles.AGENT, username="colleague")
    client.force_login(colleague)
    url = reverse("mail:attachment", args=[received.attachments.get().pk])
    assert client.get(url).status_code == 200
    assert (
        client.get(reverse("requests_app:request_edit", args=[received.request.pk])).status_code
        == 200
    )


@pytest.mark.parametrize("role", ["manager", "administrator", "outsider"])
def test_who_may_not_open_requests_may_not_open_attachments(client, request, received, role):
    client.force_login(request.getfixturevalue(role))
    url = reverse("mail:attachment", args=[received.attachments.get().pk])
    assert client.get(url).status_code == 403
    page = reverse("requests_app:request_edit", args=[received.request.pk])
    assert client.get(page).status_code == 403  # the same rule as the request's page


def test_anonymous_visitors_are_sent_to_the_login(client, received):
    response = client.get(reverse("mail:attachment", args=[received.attachments.get().pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_attachment_is_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("mail:attachment", args=[999])).status_code == 404


def test_a_post_is_refused(client, agent, received):
    client.force_login(agent)
    url = reverse("mail:attachment", args=[received.attachments.get().pk])
    assert client.post(url).status_code == 405
