"""A mail loop between us and a careless auto-responder stops: the responder answers every
e-mail it gets with a new one (no Auto-Submitted, no threading headers, a subject of its own),
which is the worst a machine can do. Each of its messages looks like a person's new request,
so each would be acknowledged, and each acknowledgement answered, for ever; the hourly limit
of acknowledgements per sender ends it. What goes back and forth is real SMTP."""

import pytest
from django_tasks_db.models import DBTaskResult

from mail.models import Direction, Mail
from mail.services import mail_receive
from mail.tasks import send_mail_out
from tests.mail.helpers import message

pytestmark = pytest.mark.django_db

RESPONDER = "Helpdesk robot <robot@vendor.example>"


def send_queued() -> None:
    """What the task worker does with the acknowledgements queued so far."""
    for queued in DBTaskResult.objects.filter(task_path="mail.tasks.send_mail_out"):
        send_mail_out.call(**queued.args_kwargs["kwargs"])
        queued.delete()


def responder_answer(ticket: int):
    """The careless responder's answer to one message it received."""
    return message(
        sender=RESPONDER,
        subject=f"Thank you for contacting Vendor (ticket {ticket})",
        text="We received your message and will answer within 5 working days.",
    )


def test_a_loop_with_a_careless_auto_responder_stops_at_the_hourly_limit(
    mailbox, smtp_sink, settings
):
    settings.MAIL_ACKNOWLEDGEMENTS_PER_HOUR = 3
    mail_receive(mailbox=mailbox, raw=bytes(message(sender=RESPONDER, subject="Hello")))
    answered = rounds = 0
    while rounds < 10:
        rounds += 1
        send_queued()
        new = smtp_sink.messages[answered:]
        if not new:
            break  # nothing came back for the responder to answer: the loop is over
        for _acknowledgement in new:
            answered += 1
            mail_receive(mailbox=mailbox, raw=bytes(responder_answer(answered)))

    assert rounds == 4  # three acknowledgements answered, then a round with nothing new
    acknowledgements = smtp_sink.messages
    assert [m["To"] for m in acknowledgements] == ["robot@vendor.example"] * 3
    assert all(m["Auto-Submitted"] == "auto-replied" for m in acknowledgements)
    # Every message of the responder is kept (none is lost): only the answers stop.
    assert Mail.objects.filter(direction=Direction.IN).count() == 4
