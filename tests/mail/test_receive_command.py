"""`manage.py receive_mail`: a mail server pipes one message to it."""

import io
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from mail.models import Mail
from requests_app.models import Channel, CustomerRequest
from tests.mail.helpers import message


def piped(monkeypatch, raw: bytes) -> None:
    """Standard input holding `raw`, as a mail server's pipe gives it."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))


@pytest.mark.django_db
def test_a_piped_message_becomes_a_request(mailbox, monkeypatch):
    piped(monkeypatch, bytes(message()))
    out = io.StringIO()
    call_command("receive_mail", "--mailbox", "Service@City.example", stdout=out)
    request = CustomerRequest.objects.get()
    assert request.channel == Channel.EMAIL
    assert f"with {request.number}" in out.getvalue()


@pytest.mark.django_db
def test_an_ignored_message_is_handled(mailbox, monkeypatch):
    piped(monkeypatch, bytes(message(headers={"Auto-Submitted": "auto-replied"})))
    out = io.StringIO()
    call_command("receive_mail", "--mailbox", "service@city.example", stdout=out)
    assert "Ignored" in out.getvalue()
    assert not Mail.objects.exists()


@pytest.mark.django_db
def test_an_unknown_mailbox_is_an_error(mailbox, monkeypatch):
    piped(monkeypatch, bytes(message()))
    with pytest.raises(CommandError, match="No mailbox 'other@city.example'"):
        call_command("receive_mail", "--mailbox", "other@city.example")


@pytest.mark.django_db
def test_unreadable_input_is_an_error(mailbox, monkeypatch):
    piped(monkeypatch, b"")
    with pytest.raises(CommandError, match="Unreadable message"):
        call_command("receive_mail", "--mailbox", "service@city.example")


def database_url_of_the_tests() -> str:
    """The test database, as a URL the command's own process connects to."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + database["NAME"]))


def run_command(*args: str, raw: bytes) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url_of_the_tests(),
        "MAIL_ATTACHMENTS_DIR": str(settings.MAIL_ATTACHMENTS_DIR),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "receive_mail", *args],
        cwd=settings.BASE_DIR,
        env=env,
        input=raw,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_the_exit_code_tells_the_mail_server(mailbox):
    handled = run_command("--mailbox", "service@city.example", raw=bytes(message()))
    assert handled.returncode == 0, handled.stderr
    assert CustomerRequest.objects.count() == 1

    unknown = run_command("--mailbox", "nobody@city.example", raw=bytes(message()))
    assert unknown.returncode != 0
    assert b"No mailbox 'nobody@city.example'" in unknown.stderr

    unreadable = run_command("--mailbox", "service@city.example", raw=b"")
    assert unreadable.returncode != 0
    assert b"Unreadable message" in unreadable.stderr
