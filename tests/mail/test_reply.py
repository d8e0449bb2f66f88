"""An agent's reply by e-mail (mail_reply_send): stored on the request, queued, sent by the task
worker to a real SMTP server threaded to the customer's e-mail, from the mailbox the
conversation came in through; the customer's answer to it joins the request."""

import pytest
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from mail.models import Direction, Mail
from mail.services import mail_receive, mail_reply_send, mailbox_save, reply_subject
from mail.tasks import send_mail_out
from requests_app.services import request_save, request_start
from tests.mail.helpers import message

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(mailbox):
    """The customer's e-mail that made a request (their mail program's References too)."""
    original = message(
        message_id="<first.1@example.no>", headers={"References": "<earlier@example.no>"}
    )
    return mail_receive(mailbox=mailbox, raw=bytes(original))


def reply(received, agent, **values):
    values = {
        "to": "kari@example.no",
        "subject": reply_subject(received.request),
        "text": "The crew repairs the light on Thursday.",
        **values,
    }
    return mail_reply_send(request=received.request, user=agent, **values)


def test_the_reply_is_kept_on_the_request_and_queued(received, agent):
    ours = reply(received, agent)
    assert ours.request == received.request
    assert ours.direction == Direction.OUT
    assert not ours.automatic
    assert ours.sent_by == agent
    assert ours.send_state == "queued"
    assert ours.in_reply_to == "first.1@example.no"
    assert ours.references.split() == ["earlier@example.no", "first.1@example.no"]
    queued = DBTaskResult.objects.filter(args_kwargs__kwargs={"mail_id": ours.pk})
    assert queued.count() == 1


def test_the_reply_arrives_threaded_from_the_conversations_mailbox(received, agent, smtp_sink):
    mailbox_save(values={"address": "another@city.example", "name": "Another desk"})
    request = received.request
    ours = reply(received, agent)

    assert send_mail_out.call(mail_id=ours.pk) == "sent"

    arrived = smtp_sink.messages[-1]
    assert smtp_sink.envelopes[-1].rcpt_tos == ["kari@example.no"]
    assert smtp_sink.envelopes[-1].mail_from == "service@city.example"
    assert arrived["From"].addresses[0].addr_spec == "service@city.example"
    assert arrived["From"].addresses[0].display_name == "City service desk"
    assert arrived["Subject"] == f"Re: Streetlight out on Main Street [{request.number}]"
    assert arrived["In-Reply-To"] == "<first.1@example.no>"
    assert arrived["References"].split() == ["<earlier@example.no>", "<first.1@example.no>"]
    assert arrived["Message-ID"] == f"<{ours.message_id}>"
    assert ours.message_id.endswith("@city.example")
    # A person wrote it: other systems may answer it (no RFC 3834 mark).
    assert arrived["Auto-Submitted"] is None
    assert arrived.get_body().get_content().strip() == "The crew repairs the light on Thursday."
    ours.refresh_from_db()
    assert ours.send_state == "sent" and ours.sent_at is not None


def test_the_customers_answer_to_the_reply_joins_the_request(received, agent, smtp_sink):
    request = received.request
    ours = reply(received, agent)
    send_mail_out.call(mail_id=ours.pk)
    arrived = smtp_sink.messages[-1]
    # The customer's mail program threads its answer and keeps our subject...
    answer = message(
        subject="Re: " + arrived["Subject"],
        headers={"In-Reply-To": arrived["Message-ID"], "References": arrived["References"]},
    )
    assert mail_receive(mailbox=received.mailbox, raw=bytes(answer)).request == request
    # ...or only In-Reply-To, under a subject without the number.
    bare = message(subject="Thanks", headers={"In-Reply-To": f"<{ours.message_id}>"})
    assert mail_receive(mailbox=received.mailbox, raw=bytes(bare)).request == request


def test_the_number_is_added_to_a_subject_without_it(received, agent):
    ours = reply(received, agent, subject="About your streetlight")
    assert ours.subject == f"About your streetlight [{received.request.number}]"
    same = reply(received, agent, subject=f"[{received.request.number}] Light")
    assert same.subject == f"[{received.request.number}] Light"


def test_the_next_reply_answers_the_customers_last_email(received, agent):
    first = reply(received, agent)
    answer = message(
        message_id="<second.2@example.no>",
        headers={
            "In-Reply-To": f"<{first.message_id}>",
            "References": f"<first.1@example.no> <{first.message_id}>",
        },
    )
    mail_receive(mailbox=received.mailbox, raw=bytes(answer))
    second = reply(received, agent)
    assert second.in_reply_to == "second.2@example.no"
    assert second.references.split() == [
        "first.1@example.no",
        first.message_id,
        "second.2@example.no",
    ]


def test_a_request_without_email_replies_from_the_first_active_mailbox(agent, mailbox):
    mailbox_save(mailbox=mailbox, values={"active": False}, expected_version=1)
    mailbox_save(values={"address": "post@city.example", "name": "Post"})
    mailbox_save(values={"address": "desk@city.example", "name": "Desk"})
    request = request_start(agent=agent)
    request = request_save(
        request=request,
        values={"caller_email": "ola@example.no", "description": "Called about a bin."},
        expected_version=request.version,
        user=agent,
    )
    ours = mail_reply_send(
        request=request, user=agent, to="ola@example.no", subject="", text="Hello."
    )
    assert ours.from_address == "desk@city.example"
    assert ours.in_reply_to == "" and ours.references == ""
    assert ours.subject == f"Your request [{request.number}]"


def test_without_any_mailbox_it_sends_from_the_default_address(agent, settings, smtp_sink):
    settings.DEFAULT_FROM_EMAIL = "noreply@callcenter.example"
    request = request_start(agent=agent)
    ours = mail_reply_send(
        request=request, user=agent, to="ola@example.no", subject="Your bin", text="Hello."
    )
    assert ours.mailbox is None
    assert ours.message_id.endswith("@callcenter.example")
    send_mail_out.call(mail_id=ours.pk)
    assert smtp_sink.envelopes[-1].mail_from == "noreply@callcenter.example"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"to": "not an address"}, "to"),
        ({"to": "a@example.no, b@example.no"}, "to"),
        ({"to": "a@example.no\r\nBcc: victim@example.org"}, "to"),
        ({"subject": "Hi\r\nBcc: victim@example.org"}, "subject"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": "nul \x00 byte"}, "text"),
    ],
)
def test_the_service_refuses_bad_input_naming_the_field(received, agent, values, field):
    with pytest.raises(ValidationError) as refused:
        reply(received, agent, **values)
    assert field in refused.value.message_dict
    assert not Mail.objects.filter(direction=Direction.OUT, automatic=False).exists()


def test_a_failed_send_is_recorded_on_the_email_and_can_be_sent_again(
    received, agent, settings, smtp_sink
):
    ours = reply(received, agent)
    sink_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    with pytest.raises(OSError):
        send_mail_out.call(mail_id=ours.pk)
    ours.refresh_from_db()
    assert ours.send_state == "failed"
    assert ours.send_error and ours.failed_at is not None

    settings.EMAIL_PORT = sink_port
    assert send_mail_out.call(mail_id=ours.pk) == "sent"
    ours.refresh_from_db()
    assert ours.send_state == "sent" and ours.send_error == ""
