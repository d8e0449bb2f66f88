"""The test IMAP server itself: what is appended is there to fetch, and the mailbox starts
empty in every test."""

import imapclient
import pytest

from tests.mail.imap import dovecot as harness

MESSAGE = (
    b"From: Kari Nordmann <kari@example.net>\r\n"
    b"To: intake@example.org\r\n"
    b"Subject: Streetlight out on Elm Street\r\n"
    b"Message-ID: <harness-1@example.net>\r\n"
    b"\r\n"
    b"The light in front of number 12 has been out since Monday.\r\n"
)


def test_an_appended_message_can_be_fetched_back(imap):
    imap.append("INBOX", MESSAGE)

    imap.select_folder("INBOX")
    uids = imap.search("UNSEEN")
    fetched = imap.fetch(uids, ["RFC822"])

    assert len(uids) == 1
    assert fetched[uids[0]][b"RFC822"] == MESSAGE


def test_every_test_starts_with_an_empty_inbox(imap):
    assert imap.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == 0
    assert [name for _flags, _delimiter, name in imap.list_folders()] == ["INBOX"]


def test_the_server_offers_idle_and_move(imap):
    capabilities = imap.capabilities()

    assert b"IDLE" in capabilities and b"MOVE" in capabilities


def test_a_wrong_password_is_refused(dovecot):
    connection = imapclient.IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=10)

    with pytest.raises(imapclient.exceptions.LoginError):
        connection.login(dovecot.user, "not-the-password")
    connection.shutdown()


def test_a_second_server_runs_beside_the_first(dovecot):
    """What pytest -n relies on: each worker's dovecot on its own port and folder."""
    second = harness.start_dovecot()
    try:
        connection = harness.client(second)
        connection.append("INBOX", MESSAGE)
        assert second.port != dovecot.port
        assert connection.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == 1
        connection.logout()
    finally:
        second.stop()
