"""manage.py fetch_mail as cron and the service run it: a process of its own, on the test's
database, against the tests' dovecot (its exit code, its output, SIGTERM)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from mail.models import Direction, Mail
from tests.mail.imap.conftest import PASSWORD_VARIABLE
from tests.mail.imap.messages import message

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]


def received():
    """The e-mails received (the acknowledgements sent are Mails too)."""
    return Mail.objects.filter(direction=Direction.IN)


def database_url() -> str:
    """DATABASE_URL for the test's own database, committed data visible to another process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    credentials = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    host = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{settings['NAME']}"


def manage_py(*args, password: str, **options):
    environment = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        PASSWORD_VARIABLE: password,
        "LOG_LEVEL": "INFO",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "fetch_mail", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def test_a_wrong_password_ends_the_command_with_exit_code_1_and_the_reason(mailbox):
    process = manage_py(password="not-the-password")
    out, errors = process.communicate(timeout=60)

    assert process.returncode == 1
    assert "intake@example.org: 127.0.0.1:" in errors
    assert "refused the login of intake@example.org: [AUTHENTICATIONFAILED]" in errors
    assert "CommandError: 1 mailbox could not be read." in errors
    assert "Traceback" not in errors


def test_the_command_files_new_mail_and_exits_0(mailbox, imap, dovecot):
    imap.append("INBOX", message(message_id="<by-cron@example.net>"))

    process = manage_py(password=dovecot.password)
    out, errors = process.communicate(timeout=60)

    assert process.returncode == 0, errors
    assert "intake@example.org: 1 filed, 0 ignored, 0 failed" in out
    assert received().filter(message_id="by-cron@example.net").exists()


def test_the_idle_service_files_new_mail_and_stops_on_sigterm(mailbox, imap, dovecot):
    process = manage_py("--idle", password=dovecot.password)
    try:
        imap.append("INBOX", message(message_id="<to-the-service@example.net>"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if received().filter(message_id="to-the-service@example.net").exists():
                break
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        out, errors = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert received().filter(message_id="to-the-service@example.net").exists(), errors
    assert process.returncode == 0, errors
    assert "Watching the mailboxes for new mail" in out
    assert "Traceback" not in errors
