"""The "Reply by e-mail" box on the request page: shown, sent, refused with the field named,
forbidden to those who may not edit requests, and an article inserted without JavaScript."""

import html as html_lib

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mail.models import Direction, Mail
from mail.services import mail_receive, mail_send_failed
from requests_app.services import request_consult, request_save, request_start
from tests.factories import article
from tests.mail.helpers import message

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(mailbox):
    return mail_receive(mailbox=mailbox, raw=bytes(message()))


def page_of(client, customer_request) -> str:
    response = client.get(reverse("requests_app:request_edit", args=[customer_request.pk]))
    assert response.status_code == 200
    return response.content.decode()


def reply_url(customer_request) -> str:
    return reverse("mail:request_reply", args=[customer_request.pk])


def replies():
    return Mail.objects.filter(direction=Direction.OUT, automatic=False)


def box(html: str) -> str:
    start = html.index('id="mail-reply"')
    return html[start : html.index("</section>", start)]


def test_the_box_is_prefilled_with_the_customers_address_and_the_subject(client, agent, received):
    client.force_login(agent)
    section = box(page_of(client, received.request))
    assert "Reply by e-mail" in section
    assert 'value="kari@example.no"' in section
    number = received.request.number
    assert f'value="Re: Streetlight out on Main Street [{number}]"' in section


def test_a_request_without_any_address_has_no_box(client, agent):
    client.force_login(agent)
    assert 'id="mail-reply"' not in page_of(client, request_start(agent=agent))


def test_a_telephone_request_with_the_callers_email_has_the_box(client, agent, mailbox):
    request = request_start(agent=agent)
    request = request_save(
        request=request,
        values={"caller_email": "ola@example.no", "description": "Bin not emptied."},
        expected_version=request.version,
        user=agent,
    )
    client.force_login(agent)
    section = box(page_of(client, request))
    assert 'value="ola@example.no"' in section
    assert f'value="Your request [{request.number}]"' in section


def test_sending_queues_the_email_and_confirms(client, agent, received):
    client.force_login(agent)
    response = client.post(
        reply_url(received.request),
        {
            "to": "kari@example.no",
            "subject": "About your streetlight",
            "text": "It is repaired on Thursday.",
            "action": "send",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == received.request.get_absolute_url()
    ours = replies().get()
    assert ours.request == received.request and ours.sent_by == agent
    assert ours.subject == f"About your streetlight [{received.request.number}]"
    assert ours.text == "It is repaired on Thursday."
    assert DBTaskResult.objects.filter(args_kwargs__kwargs={"mail_id": ours.pk}).exists()
    html = response.content.decode()
    assert "Your e-mail to kari@example.no is queued" in html
    # The conversation shows it: who wrote it, and that it waits for the worker.
    assert "Written by" in html and "queued" in html


@pytest.mark.parametrize(
    ("values", "field", "message_text"),
    [
        ({"to": "not an address"}, "reply_to", "Enter one e-mail address"),
        ({"to": "a@example.no, b@example.no"}, "reply_to", "Enter one e-mail address"),
        ({"to": ""}, "reply_to", "This field is required"),
        ({"text": ""}, "reply_text", "Write the message."),
        ({"text": " \n "}, "reply_text", "Write the message."),
        ({"text": "x" * 10_001}, "reply_text", "at most 10000 characters"),
        ({"text": "bad \x00 byte"}, "reply_text", "Null characters are not allowed"),
        ({"subject": "Hi\r\nBcc: victim@example.org"}, "reply_subject", "Use letters, digits"),
        ({"subject": "s" * 251}, "reply_subject", "at most 250 characters"),
    ],
)
def test_a_refused_reply_names_the_field_and_keeps_what_was_typed(
    client, agent, received, values, field, message_text
):
    client.force_login(agent)
    data = {
        "to": "kari@example.no",
        "subject": "Typed subject",
        "text": "Typed <b>text</b> & more",
        "action": "send",
        **values,
    }
    response = client.post(reply_url(received.request), data)
    assert response.status_code == 200
    html = response.content.decode()
    section = box(html)
    assert "error-summary" in section
    assert f'href="#id_{field}"' in section
    assert message_text in html_lib.unescape(section)
    if "text" not in values:
        assert "Typed &lt;b&gt;text&lt;/b&gt; &amp; more" in section
    if "subject" not in values:
        assert 'value="Typed subject"' in section
    assert not replies().exists()


def test_hostile_input_never_fails(client, agent, received):
    client.force_login(agent)
    for data in [
        {},
        {"action": "insert", "article": "99999999999999999999999"},
        {"action": "insert", "article": "<script>"},
        {"to": ["a@example.no", "b@example.no"], "text": "x", "action": "send"},
        {"to": "é" * 300 + "@example.no", "text": "x"},
        {"to": "kari@example.no", "text": "<script>alert(1)</script>", "action": "send"},
    ]:
        response = client.post(reply_url(received.request), data)
        assert response.status_code in (200, 302), data
    # Sent as typed, plain text, and escaped where shown.
    ours = replies().get(text__startswith="<script>")
    assert ours.text == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in page_of(client, received.request)


def test_those_who_may_not_edit_requests_get_403(client, manager, outsider, received):
    for user in (manager, outsider):
        client.force_login(user)
        data = {"to": "kari@example.no", "text": "Hello", "action": "send"}
        assert client.post(reply_url(received.request), data).status_code == 403
    assert not replies().exists()


def test_anonymous_is_sent_to_log_in(client, received):
    response = client.post(reply_url(received.request), {"text": "x"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_reply_page_takes_only_post(client, agent, received):
    client.force_login(agent)
    assert client.get(reply_url(received.request)).status_code == 405


def test_an_article_is_inserted_without_javascript(client, agent, supervisor, received):
    lights = article(
        supervisor,
        "Streetlight out",
        summary="How a broken streetlight is repaired.",
        body="Repairs take **two days**.\n\n- Report the pole number\n- See [the map](https://city.example/map)",
    )
    request_consult(request=received.request, article=lights, user=agent)
    client.force_login(agent)
    section = box(page_of(client, received.request))
    assert f'<option value="{lights.pk}"' in section and "Streetlight out" in section

    response = client.post(
        reply_url(received.request),
        {
            "to": "kari@example.no",
            "subject": "Typed subject",
            "text": "Dear Kari,",
            "article": str(lights.pk),
            "action": "insert",
        },
    )
    assert response.status_code == 200
    section = html_lib.unescape(box(response.content.decode()))
    assert "error-summary" not in section  # nothing was sent, so nothing is checked
    expected = (
        "Dear Kari,\n\nStreetlight out\n\nHow a broken streetlight is repaired.\n\n"
        "Repairs take two days.\n\n- Report the pole number\n- See the map "
        "(https://city.example/map)</textarea>"
    )
    assert expected in section.replace("\r\n", "\n")
    assert 'value="Typed subject"' in section
    assert not replies().exists()


def test_an_article_not_offered_is_not_inserted(client, agent, supervisor, received):
    draft = article(supervisor, "Secret draft", publish=False, body="Internal only.")
    client.force_login(agent)
    response = client.post(
        reply_url(received.request),
        {"to": "kari@example.no", "text": "Hi", "article": str(draft.pk), "action": "insert"},
    )
    assert response.status_code == 200
    assert "Internal only." not in response.content.decode()


def test_a_failed_email_says_so_and_can_be_sent_again(client, agent, received):
    client.force_login(agent)
    client.post(
        reply_url(received.request),
        {"to": "kari@example.no", "text": "Hello", "action": "send"},
    )
    ours = replies().get()
    mail_send_failed(mail_id=ours.pk, error="SMTPRecipientsRefused: 550 no such user")
    html = page_of(client, received.request)
    assert "sending failed" in html and "550 no such user" in html
    before = DBTaskResult.objects.count()
    response = client.post(reverse("mail:send_again", args=[ours.pk]))
    assert response.status_code == 302
    assert DBTaskResult.objects.count() == before + 1


def test_a_sent_email_is_not_sent_again(client, agent, received):
    client.force_login(agent)
    client.post(
        reply_url(received.request),
        {"to": "kari@example.no", "text": "Hello", "action": "send"},
    )
    ours = replies().get()
    Mail.objects.filter(pk=ours.pk).update(sent_at=timezone.now())  # test data: the worker ran
    before = DBTaskResult.objects.count()
    response = client.post(reverse("mail:send_again", args=[ours.pk]), follow=True)
    assert "This e-mail was sent already." in response.content.decode()
    assert DBTaskResult.objects.count() == before
