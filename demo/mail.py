"""The demo's e-mail: a mailbox customers write to (made by mail.services, as an administrator
makes one on the mailbox pages), and the sample e-mails `manage.py sample_mail` files into it.
Running it again changes nothing."""

import random
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.utils import timezone

from mail.models import Mailbox
from mail.services import mailbox_save
from requests_app.models import Customer, RequestType

DEMO_MAILBOX = "service@callcenter.localhost"

# What residents write about, as they write it.
SAMPLES = [
    (
        "Streetlight out in Elm Street",
        "Hello,\n\nthe streetlight in front of Elm Street 12 has been dark for three nights now. "
        "It is the one next to the bus stop, and it is very dark on the way home.\n\n"
        "Could someone have a look?\n\nThank you",
    ),
    (
        "Bin not emptied",
        "Good morning,\n\nour grey bin was not emptied this Tuesday although it was out by the "
        "road from 6 am. The neighbours' bins were emptied.\n\nWhen will it be collected?\n\n"
        "Kind regards",
    ),
    (
        "Pothole on Harbour Road",
        "Dear service centre,\n\nthere is a deep pothole on Harbour Road, about 50 metres "
        "after the roundabout, heading into town. Two cyclists almost fell today.\n\n"
        "Please repair it soon.",
    ),
    (
        "Question about bulky waste",
        "Hi,\n\nI am moving out next month and have an old sofa and a mattress. How do I book "
        "a bulky waste collection, and what does it cost?\n\nThanks in advance",
    ),
]


def load_demo_mailbox() -> str:
    """The demo mailbox; "" when it is there already."""
    if Mailbox.objects.filter(address=DEMO_MAILBOX).exists():
        return ""
    mailbox_save(
        values={
            "address": DEMO_MAILBOX,
            "name": "City service centre",
            "request_type": RequestType.INFORMATION,
            "language": "en",
        }
    )
    return f"the mailbox {DEMO_MAILBOX} (Information, English)"


def sample_message(
    *, to: str, sender: str | None = None, subject: str | None = None, rng=None
) -> EmailMessage:
    """A resident's e-mail as a mail program writes it: from `sender` (else a demo customer
    with an e-mail address, else a made-up resident), a sample subject and text."""
    rng = rng or random.Random()
    sample_subject, text = rng.choice(SAMPLES)
    if sender is None:
        customers = list(
            Customer.objects.exclude(email="").order_by("pk").values_list("name", "email")[:200]
        )
        name, address = rng.choice(customers) if customers else ("Kari Nordmann", "kari@example.no")
        sender = formataddr((name, address))
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject if subject is not None else sample_subject
    mail["Date"] = format_datetime(timezone.now())
    domain = sender.rpartition("@")[2].strip("> ") or "example.org"
    mail["Message-ID"] = make_msgid(domain=domain)
    mail.set_content(text)
    return mail
