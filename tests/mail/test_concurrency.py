"""Two readers taking in the same message at once (two IMAP connections, a retry beside the
first try): the database keeps it once."""

import threading

import pytest
from django.db import IntegrityError, connection

from mail.models import Direction, Mail
from mail.services import mail_receive
from requests_app.models import CustomerRequest
from tests.mail.helpers import message


@pytest.mark.django_db(transaction=True)
def test_the_same_message_from_two_readers_at_once_is_kept_once(mailbox):
    raw = bytes(message())
    start = threading.Barrier(2)
    results, errors = [], []

    def read():
        try:
            start.wait()
            results.append(mail_receive(mailbox=mailbox, raw=raw))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=60)
    assert not errors
    assert len(results) == 2
    assert results[0].pk == results[1].pk
    assert Mail.objects.filter(direction=Direction.IN).count() == 1
    assert CustomerRequest.objects.count() == 1
    assert Mail.objects.filter(direction=Direction.OUT).count() == 1


@pytest.mark.django_db
def test_a_refusal_that_is_not_the_duplicate_is_raised_not_taken_for_one(mailbox, monkeypatch):
    """Only the same message stored meanwhile makes a refused insert "kept before": any other
    refusal is an error (the IMAP reader leaves the message unread for the next round) rather
    than a message marked done and never filed."""

    def refused(**values):
        raise IntegrityError("some other constraint")

    monkeypatch.setattr(Mail.objects, "create", refused)
    with pytest.raises(IntegrityError):
        mail_receive(mailbox=mailbox, raw=bytes(message()))
