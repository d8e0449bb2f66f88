"""The demo's e-mail: load_demo_data makes the demo mailbox, and `manage.py sample_mail` files a
resident's e-mail into it, which becomes a request (or joins one)."""

import re

import pytest
from django.core.management import CommandError, call_command

from demo.mail import DEMO_MAILBOX, load_demo_mailbox
from mail.models import Direction, Mail, Mailbox
from requests_app.models import Channel, CustomerRequest, RequestType
from tests.demo.test_load_demo_data import small_demo  # noqa: F401 - a fixture
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_load_demo_data_makes_the_demo_mailbox(small_demo, capsys):  # noqa: F811
    call_command("load_demo_data")
    assert f"E-mail: the mailbox {DEMO_MAILBOX}" in capsys.readouterr().out
    mailbox = Mailbox.objects.get()
    assert mailbox.address == DEMO_MAILBOX
    assert mailbox.request_type == RequestType.INFORMATION
    assert mailbox.language == "en" and mailbox.active
    assert load_demo_mailbox() == ""  # again: nothing more
    assert Mailbox.objects.count() == 1


def test_sample_mail_makes_a_request_and_prints_its_number(capsys):
    load_demo_mailbox()
    call_command("sample_mail", "--from", "ola@example.no", "--subject", "Broken bench")
    out = capsys.readouterr().out
    request = CustomerRequest.objects.get()
    assert f"made request {request.number}" in out
    assert request.channel == Channel.EMAIL
    assert request.caller_email == "ola@example.no"
    assert request.description.startswith("Broken bench")
    incoming = Mail.objects.get(direction=Direction.IN)
    assert incoming.mailbox.address == DEMO_MAILBOX and incoming.request == request
    # Acknowledged, as every new e-mailed request is.
    assert Mail.objects.filter(direction=Direction.OUT, automatic=True, request=request).exists()


def test_sample_mail_with_a_number_in_the_subject_joins_that_request(capsys):
    load_demo_mailbox()
    call_command("sample_mail", "--from", "ola@example.no")
    number = re.search(r"CR-\d{4}-\d+", capsys.readouterr().out).group()
    call_command("sample_mail", "--from", "ola@example.no", "--subject", f"More [{number}]")
    assert f"joined request {number}" in capsys.readouterr().out
    assert CustomerRequest.objects.count() == 1


def test_sample_mail_writes_from_a_demo_customer_by_default(capsys):
    load_demo_mailbox()
    CustomerFactory(name="Ada Lovelace", email="ada@example.org")
    call_command("sample_mail")
    incoming = Mail.objects.get(direction=Direction.IN)
    assert incoming.from_address == "ada@example.org"
    assert incoming.request.customer.email == "ada@example.org"


def test_sample_mail_needs_the_demo_mailbox_and_a_real_address():
    with pytest.raises(CommandError, match="load_demo_data"):
        call_command("sample_mail")
    load_demo_mailbox()
    for wrong in ["not an address", "a@example.org\r\nBcc: b@example.org"]:
        with pytest.raises(CommandError, match="--from"):
            call_command("sample_mail", "--from", wrong)
    with pytest.raises(CommandError, match="--subject"):
        call_command("sample_mail", "--subject", "two\nlines")
    assert not CustomerRequest.objects.exists()
