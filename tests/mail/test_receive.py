"""What becomes of a received e-mail: a new request, a reply joining its request, a duplicate
kept once, machines' mail neither making requests nor being answered, attachments kept or
refused."""

import pytest
from django_tasks_db.models import DBTaskResult

from mail.models import Direction, Mail, MailAttachment
from mail.services import mail_receive
from requests_app.models import Channel, Customer, CustomerRequest, RequestType, Status
from tests.mail.helpers import message, reply_to

pytestmark = pytest.mark.django_db


def receive(mailbox, mail):
    return mail_receive(mailbox=mailbox, raw=bytes(mail))


def test_a_new_message_becomes_a_request_of_its_sender(mailbox):
    kept = receive(mailbox, message())
    request = kept.request
    assert request.channel == Channel.EMAIL
    assert request.request_type == RequestType.INFORMATION
    assert request.status == Status.OPEN
    assert request.agent.username == "mail"
    assert request.caller_email == "kari@example.no"
    assert request.caller_name == "Kari Nordmann"
    assert request.customer == Customer.objects.get(email="kari@example.no")
    assert request.description.startswith("Streetlight out on Main Street\n\nThe streetlight")
    assert kept.direction == Direction.IN
    assert kept.from_address == "kari@example.no"
    assert not kept.automatic
