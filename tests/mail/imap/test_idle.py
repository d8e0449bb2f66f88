"""fetch_mail --idle's loop (mail.imap.watch_mailboxes) against the tests' dovecot: new mail
is filed within seconds of its arrival, and the loop survives the server dropping it."""

import subprocess
import threading
import time

import pytest

from mail import imap as intake
from mail.models import Direction, Mail
from mail.services import mailbox_save
from tests.mail.imap import dovecot as harness
from tests.mail.imap.conftest import PASSWORD_VARIABLE, imap_mailbox
from tests.mail.imap.messages import message

pytestmark = pytest.mark.django_db(transaction=True)


def received():
    """The e-mails received (the acknowledgements sent are Mails too)."""
    return Mail.objects.filter(direction=Direction.IN)


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def watchers_of(mailbox) -> list:
    return [t for t in threading.enumerate() if t.name == f"mail {mailbox.address}"]


@pytest.fixture
def quick_refresh(monkeypatch):
    """The watcher reads the mailboxes again every 0.2 s instead of every minute."""
    monkeypatch.setattr(intake, "REFRESH_SECONDS", 0.2)


@pytest.fixture
def watching(mailbox):
    """watch_mailboxes() in a thread, as fetch_mail --idle runs it; stopped after the test."""
    stop = threading.Event()
    thread = threading.Thread(target=intake.watch_mailboxes, args=(stop,), daemon=True)
    thread.start()
    yield thread
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the watcher did not stop"


def test_mail_waiting_when_the_watcher_starts_is_filed(imap, mailbox, request):
    imap.append("INBOX", message(message_id="<waiting@example.net>"))

    request.getfixturevalue("watching")

    assert wait_for(lambda: received().filter(message_id="waiting@example.net").exists())


def test_new_mail_is_filed_within_seconds(imap, watching):
    """The second message arrives while the watcher waits (in IDLE; without IDLE it would
    look again only after a minute)."""
    imap.append("INBOX", message("First", message_id="<first@example.net>"))
    assert wait_for(lambda: received().filter(message_id="first@example.net").exists())
    time.sleep(0.5)

    imap.append("INBOX", message("Second", message_id="<second@example.net>"))

    assert wait_for(lambda: received().filter(message_id="second@example.net").exists(), 5)
    assert received().get(message_id="second@example.net").request is not None


def test_the_watcher_reconnects_when_the_server_drops_the_connection(imap, dovecot, watching):
    """doveadm kick ends every connection of the user, as a server restart does."""
    imap.append("INBOX", message("First", message_id="<first@example.net>"))
    assert wait_for(lambda: received().filter(message_id="first@example.net").exists())

    kicked = subprocess.run(
        ["doveadm", "-c", str(dovecot.run_dir / "dovecot.conf"), "kick", dovecot.user],
        capture_output=True,
        text=True,
        check=False,
    )
    assert kicked.returncode == 0, kicked.stderr
    # The kick ended the test's own connection too.
    again = harness.client(dovecot)
    again.append("INBOX", message("After", message_id="<after-kick@example.net>"))
    again.logout()

    assert wait_for(lambda: received().filter(message_id="after-kick@example.net").exists())


def test_a_mailbox_made_inactive_is_no_longer_watched(imap, mailbox, quick_refresh, watching):
    mailbox_save(values={"active": False}, mailbox=mailbox, expected_version=mailbox.version)
    assert wait_for(lambda: not watchers_of(mailbox))

    imap.append("INBOX", message(message_id="<too-late@example.net>"))
    time.sleep(1)

    assert not received().exists()


def test_a_changed_mailbox_is_watched_with_its_new_settings(imap, mailbox, quick_refresh, watching):
    imap.create_folder("Requests")
    mailbox_save(values={"folder": "Requests"}, mailbox=mailbox, expected_version=mailbox.version)
    time.sleep(1)

    imap.append("Requests", message(message_id="<in-requests@example.net>"))

    assert wait_for(lambda: received().filter(message_id="in-requests@example.net").exists())
    assert len(watchers_of(mailbox)) == 1


def test_mail_announced_during_a_round_is_noticed_before_idle(imap, mailbox):
    """A message that arrives while a round runs is announced in the answer to the round's
    own commands; the watcher looks for that announcement before it goes into IDLE."""
    connection = intake.connect(mailbox)
    try:
        intake._new_mail_announced(connection)
        imap.append("INBOX", message(message_id="<during-a-round@example.net>"))

        connection.search("UNSEEN")

        assert intake._new_mail_announced(connection)
        assert not intake._new_mail_announced(connection)
    finally:
        intake._close(connection)


def test_a_refused_login_is_logged_and_tried_again_until_it_works(
    imap, mailbox, monkeypatch, caplog
):
    monkeypatch.setattr(intake, "MAX_BACKOFF_SECONDS", 1)
    monkeypatch.setenv(PASSWORD_VARIABLE, "not-the-password")
    imap.append("INBOX", message(message_id="<patient@example.net>"))
    stop = threading.Event()
    thread = threading.Thread(target=intake.watch_mailbox, args=(mailbox, stop), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: "refused the login of intake@example.org" in caplog.text)
        assert not received().exists()

        monkeypatch.setenv(PASSWORD_VARIABLE, harness.PASSWORD)

        assert wait_for(lambda: received().filter(message_id="patient@example.net").exists())
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


@pytest.fixture
def dovecot_without_idle():
    """A second dovecot that does not offer IDLE (as some servers do not)."""
    server = harness.start_dovecot(extra="imap_capability = IMAP4rev1 LITERAL+ UIDPLUS")
    yield server
    server.stop()


def test_a_server_without_idle_is_asked_again_every_poll(db, dovecot_without_idle, monkeypatch):
    monkeypatch.setattr(intake, "POLL_SECONDS", 0.5)
    monkeypatch.setenv(PASSWORD_VARIABLE, dovecot_without_idle.password)
    mailbox = imap_mailbox("no-idle@example.org", dovecot_without_idle)
    connection = harness.client(dovecot_without_idle)
    assert not connection.has_capability("IDLE")
    stop = threading.Event()
    thread = threading.Thread(target=intake.watch_mailbox, args=(mailbox, stop), daemon=True)
    thread.start()
    try:
        time.sleep(0.5)
        connection.append("INBOX", message(message_id="<polled@example.net>"))

        assert wait_for(lambda: received().filter(message_id="polled@example.net").exists(), 5)
    finally:
        stop.set()
        thread.join(timeout=10)
        harness.close(connection)
    assert not thread.is_alive()


def test_an_unexpected_error_while_watching_does_not_end_the_watch(
    imap, mailbox, monkeypatch, caplog
):
    real = intake.fetch_new
    calls = []

    def failing_once(mailbox, connection):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(mailbox, connection)

    monkeypatch.setattr(intake, "fetch_new", failing_once)
    imap.append("INBOX", message(message_id="<after-a-failure@example.net>"))
    stop = threading.Event()
    thread = threading.Thread(target=intake.watch_mailbox, args=(mailbox, stop), daemon=True)
    thread.start()
    try:
        assert wait_for(
            lambda: received().filter(message_id="after-a-failure@example.net").exists()
        )
        assert "intake@example.org: watching failed; reconnecting" in caplog.text
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
