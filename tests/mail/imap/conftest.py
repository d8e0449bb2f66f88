"""The e-mail intake's real IMAP server: one throwaway dovecot per test process (each pytest -n
worker its own, on its own port), emptied before every test (tests/mail/imap/dovecot.py)."""

import pytest

from tests.mail.imap import dovecot as harness


@pytest.fixture(scope="session")
def dovecot():
    """The dovecot this test process shares; stopped when the process ends."""
    harness.require_imap()
    server = harness.start_dovecot()
    yield server
    server.stop()


@pytest.fixture
def imap(dovecot):
    """A connection to the test's empty mailbox, for delivering (APPEND) and looking."""
    connection = harness.client(dovecot)
    harness.empty_mailbox(connection)
    yield connection
    harness.close(connection)


PASSWORD_VARIABLE = "TEST_INTAKE_IMAP_PASSWORD"


@pytest.fixture
def mailbox(db, dovecot, imap, monkeypatch):
    """The city's intake mailbox on the test's dovecot (emptied), its password in the
    environment as in production."""
    monkeypatch.setenv(PASSWORD_VARIABLE, dovecot.password)
    return imap_mailbox(dovecot.user, dovecot)


def imap_mailbox(address, dovecot, **values):
    """A mailbox read from the tests' dovecot (or, with other values, from elsewhere)."""
    from mail.services import mailbox_save

    return mailbox_save(
        values={
            "address": address,
            "name": "City intake",
            "imap_host": dovecot.host,
            "imap_port": dovecot.port,
            "imap_ssl": False,
            "imap_user": dovecot.user,
            "password_variable": PASSWORD_VARIABLE,
            "language": "en",
            **values,
        }
    )
