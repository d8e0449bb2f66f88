"""The e-mail back to the sender of a new request: queued with the request, sent by the task
worker to a real SMTP server, threaded, marked automatic, and not more than a few an hour."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mail.models import Direction, Mail
from mail.services import mail_receive, mailbox_save
from mail.tasks import send_mail_out
from tests.mail.helpers import message, reply_to

pytestmark = pytest.mark.django_db


def receive(mailbox, mail):
    return mail_receive(mailbox=mailbox, raw=bytes(mail))


def acknowledgements():
    return Mail.objects.filter(direction=Direction.OUT, automatic=True)


def test_a_new_request_queues_one_acknowledgement(mailbox):
    incoming = receive(mailbox, message())
    ours = acknowledgements().get()
    assert ours.request == incoming.request
    assert ours.to_addresses == "kari@example.no"
    assert ours.from_address == "service@city.example"
    assert ours.in_reply_to == incoming.message_id
    assert ours.sent_at is None  # the worker sends it
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"] == {"mail_id": ours.pk}


def test_the_acknowledgement_arrives_threaded_and_marked_automatic(mailbox, smtp_sink):
    original = message(
        headers={"References": "<earlier@example.no>"}, message_id="<first.1@example.no>"
    )
    request = receive(mailbox, original).request
    ours = acknowledgements().get()

    assert send_mail_out.call(mail_id=ours.pk) == "sent"

    arrived = smtp_sink.messages[0]
    assert smtp_sink.envelopes[0].rcpt_tos == ["kari@example.no"]
    assert arrived["To"] == "kari@example.no"
    assert arrived["From"].addresses[0].addr_spec == "service@city.example"
    assert arrived["From"].addresses[0].display_name == "City service desk"
    assert f"[{request.number}]" in arrived["Subject"]
    assert arrived["Subject"].endswith("Streetlight out on Main Street")
    assert arrived["Auto-Submitted"] == "auto-replied"
    assert arrived["In-Reply-To"] == "<first.1@example.no>"
    assert arrived["References"].split() == ["<earlier@example.no>", "<first.1@example.no>"]
    assert arrived["Message-ID"] == f"<{ours.message_id}>"
    assert ours.message_id.endswith("@city.example")
    assert request.number in arrived.get_body().get_content()
    ours.refresh_from_db()
    assert ours.sent_at is not None
    # Run twice (a worker retrying), it sends nothing more.
    assert send_mail_out.call(mail_id=ours.pk) == "sent before"
    assert len(smtp_sink.messages) == 1


def test_the_answer_to_the_acknowledgement_joins_the_request(mailbox, smtp_sink):
    request = receive(mailbox, message()).request
    send_mail_out.call(mail_id=acknowledgements().get().pk)
    arrived = smtp_sink.messages[0]
    # The customer answers what arrived, as their mail program threads it.
    answer = message(
        subject="Re: " + arrived["Subject"],
        headers={"In-Reply-To": arrived["Message-ID"], "References": arrived["References"]},
    )
    assert receive(mailbox, answer).request == request
    assert acknowledgements().count() == 1  # a reply is not acknowledged again


def test_the_acknowledgement_is_in_the_mailboxs_language(mailbox, smtp_sink):
    mailbox = mailbox_save(mailbox=mailbox, values={"language": "nb"}, expected_version=1)
    receive(mailbox, message())
    send_mail_out.call(mail_id=acknowledgements().get().pk)
    # The words come from the nb catalogue (the translators fill it); the mail says its language.
    assert smtp_sink.messages[0]["Content-Language"] == "nb"


def test_a_sender_gets_at_most_the_limit_of_acknowledgements_an_hour(mailbox, settings):
    settings.MAIL_ACKNOWLEDGEMENTS_PER_HOUR = 3
    for number in range(5):
        receive(mailbox, message(subject=f"Problem {number}"))
    assert acknowledgements().count() == 3
    assert Mail.objects.filter(direction=Direction.IN).count() == 5  # each still a request
    # Another sender is acknowledged.
    receive(mailbox, message(sender="ola@example.no"))
    assert acknowledgements().filter(to_addresses="ola@example.no").count() == 1


def test_acknowledgements_not_after_an_hour_do_not_count(mailbox, settings):
    settings.MAIL_ACKNOWLEDGEMENTS_PER_HOUR = 1
    receive(mailbox, message(subject="First"))
    receive(mailbox, message(subject="Second"))
    assert acknowledgements().count() == 1
    earlier = timezone.now() - timedelta(minutes=61)
    # Test data: the first was sent an hour and a minute ago.
    Mail.objects.filter(pk=acknowledgements().get().pk).update(created_at=earlier)
    receive(mailbox, message(subject="Third"))
    assert acknowledgements().count() == 2


def test_replies_auto_replies_bounces_and_faxes_are_not_acknowledged(mailbox):
    first = message()
    receive(mailbox, first)
    receive(mailbox, reply_to(first))
    receive(mailbox, message(headers={"Auto-Submitted": "auto-replied"}))
    receive(mailbox, message(headers={"Precedence": "bulk"}))
    receive(mailbox, message(sender="fax-gateway@telco.example"))
    assert acknowledgements().count() == 1
