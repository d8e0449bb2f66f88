"""manage.py fetch_mail against a real IMAP server (the tests' dovecot): what arrives in the
mailbox becomes requests once, and a mailbox that cannot be read says why."""

from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from mail.models import Direction, Mail
from mail.services import mailbox_save
from requests_app.models import CustomerRequest
from tests.mail.imap import dovecot as harness
from tests.mail.imap.conftest import imap_mailbox
from tests.mail.imap.messages import auto_reply, message


def received():
    """The e-mails received (the acknowledgements sent are Mails too)."""
    return Mail.objects.filter(direction=Direction.IN)


def fetch_mail(*args) -> str:
    out = StringIO()
    call_command("fetch_mail", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def flags(imap) -> list:
    """Each message's flags, in UID order."""
    imap.select_folder("INBOX", readonly=True)
    fetched = imap.fetch(imap.search("ALL"), ["FLAGS"])
    imap.unselect_folder()
    return [set(fetched[uid][b"FLAGS"]) for uid in sorted(fetched)]


def test_a_new_message_becomes_a_request(mailbox, imap):
    imap.append("INBOX", message(message_id="<elm-12@example.net>"))

    output = fetch_mail()

    mail = received().get()
    assert mail.message_id == "elm-12@example.net"
    assert mail.mailbox == mailbox
    assert mail.request is not None
    assert CustomerRequest.objects.count() == 1
    assert "intake@example.org: 1 filed, 0 ignored, 0 failed" in output


def test_a_reply_joins_the_request_of_the_message_it_answers(mailbox, imap):
    imap.append("INBOX", message(message_id="<elm-12@example.net>"))
    fetch_mail()
    imap.append(
        "INBOX",
        message(
            "Re: Streetlight out on Elm Street",
            "It is still out tonight.",
            message_id="<elm-12-again@example.net>",
            in_reply_to="<elm-12@example.net>",
        ),
    )

    fetch_mail()

    first, reply = received().order_by("id")
    assert reply.message_id == "elm-12-again@example.net"
    assert reply.request == first.request
    assert CustomerRequest.objects.count() == 1


def test_the_same_message_delivered_twice_is_filed_once(mailbox, imap):
    raw = message(message_id="<elm-12@example.net>")
    imap.append("INBOX", raw)
    imap.append("INBOX", raw)

    fetch_mail()

    assert received().count() == 1
    assert CustomerRequest.objects.count() == 1
    assert all(b"\\Seen" in each for each in flags(imap))


def test_a_message_filed_before_a_crash_is_not_filed_again(mailbox, imap):
    """A crash between filing and flagging leaves the message unseen: the next round reads it
    again, and its Message-ID is already known."""
    imap.append("INBOX", message(message_id="<elm-12@example.net>"))
    fetch_mail()
    imap.select_folder("INBOX")
    imap.remove_flags(imap.search("ALL"), [b"\\Seen"])
    imap.unselect_folder()

    fetch_mail()

    assert received().count() == 1
    assert CustomerRequest.objects.count() == 1
    assert flags(imap) == [{b"\\Seen"}]


def test_an_auto_reply_makes_no_request_and_is_done(mailbox, imap):
    imap.append("INBOX", auto_reply("<something-we-sent@example.org>"))

    fetch_mail()

    assert CustomerRequest.objects.count() == 0
    assert received().filter(request__isnull=False).count() == 0
    assert flags(imap) == [{b"\\Seen"}]


def test_filed_messages_are_flagged_seen_and_not_fetched_again(mailbox, imap):
    imap.append("INBOX", message("Pothole on Main Street", message_id="<main-1@example.net>"))
    imap.append("INBOX", message("Graffiti at the station", message_id="<station@example.net>"))

    first = fetch_mail()
    second = fetch_mail()

    assert "2 filed" in first
    assert "0 filed, 0 ignored, 0 failed" in second
    assert flags(imap) == [{b"\\Seen"}, {b"\\Seen"}]
    assert received().count() == 2


def test_a_message_read_by_a_person_is_left_alone(mailbox, imap):
    """The unread state is the queue: a message marked read in a mail client before the
    intake saw it is not filed (mark it unread to have it filed)."""
    imap.append("INBOX", message(message_id="<elm-12@example.net>"), flags=[b"\\Seen"])

    fetch_mail()

    assert received().count() == 0


def test_a_message_that_cannot_be_filed_stays_unseen_and_the_others_are_filed(
    mailbox, imap, monkeypatch, caplog
):
    import mail.imap

    real = mail.imap.mail_receive

    def failing_on_the_second(*, mailbox, raw):
        if b"Subject: Second" in raw:
            raise RuntimeError("the database went away")
        return real(mailbox=mailbox, raw=raw)

    monkeypatch.setattr(mail.imap, "mail_receive", failing_on_the_second)
    for subject in ("First", "Second", "Third"):
        imap.append("INBOX", message(subject))

    output = fetch_mail()

    assert sorted(received().values_list("subject", flat=True)) == ["First", "Third"]
    assert flags(imap) == [{b"\\Seen"}, {b"\\Flagged"}, {b"\\Seen"}]
    assert "2 filed, 0 ignored, 1 failed" in output
    assert "could not be filed; left unseen" in caplog.text

    monkeypatch.setattr(mail.imap, "mail_receive", real)
    fetch_mail()

    assert received().count() == 3
    assert flags(imap) == [{b"\\Seen"}, {b"\\Seen", b"\\Flagged"}, {b"\\Seen"}]


def test_bytes_that_are_no_e_mail_are_flagged_and_not_tried_again(mailbox, imap):
    imap.append("INBOX", b"\r\n\r\n")
    imap.append("INBOX", message())

    output = fetch_mail()

    assert "1 filed, 0 ignored, 0 failed, 1 no e-mail (flagged)" in output
    assert flags(imap) == [{b"\\Seen", b"\\Flagged"}, {b"\\Seen"}]
    assert received().count() == 1


def test_large_messages_are_fetched_in_smaller_batches(mailbox, imap, monkeypatch):
    import mail.imap

    monkeypatch.setattr(mail.imap, "BATCH_BYTES", 150_000)
    photo = ("photo.jpg", "image/jpeg", b"\xff" * 60_000)  # about 80 kB in base64
    for number in range(5):
        imap.append("INBOX", message(f"Photo {number}", attachments=(photo,)))
    imap.append("INBOX", message("No photo"))
    imap.select_folder("INBOX")
    uids = sorted(imap.search("ALL"))

    batches = list(mail.imap._batches(imap, uids))
    imap.unselect_folder()
    output = fetch_mail()

    assert batches == [uids[0:1], uids[1:2], uids[2:3], uids[3:4], uids[4:6]]
    assert "6 filed" in output


def test_an_inactive_mailbox_is_not_read(mailbox, imap):
    mailbox_save(values={"active": False}, mailbox=mailbox, expected_version=mailbox.version)
    imap.append("INBOX", message())

    output = fetch_mail()

    assert received().count() == 0
    assert "No active mailbox" in output


def run_manage_py(capsys, *args) -> tuple[int, str, str]:
    """manage.py as cron runs it (exit code, output, errors), in this process so that it sees
    the test's database. It closes the database connections at its end, as manage.py does:
    the tests that use it run outside a transaction (transaction=True)."""
    with pytest.raises(SystemExit) as exit:
        ManagementUtility(["manage.py", "fetch_mail", *args]).execute()
    captured = capsys.readouterr()
    return exit.value.code, captured.out, captured.err


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_is_a_clear_error_and_exit_code_1(mailbox, imap, monkeypatch, capsys):
    monkeypatch.setenv("TEST_INTAKE_IMAP_PASSWORD", "not-the-password")

    code, _out, errors = run_manage_py(capsys)

    assert code == 1
    assert (
        f"intake@example.org: 127.0.0.1:{mailbox.imap_port} refused the login of "
        "intake@example.org: [AUTHENTICATIONFAILED] Authentication failed." in errors
    )
    assert "1 mailbox could not be read." in errors
    assert "Traceback" not in errors


def test_an_unset_password_variable_is_named(mailbox, monkeypatch):
    monkeypatch.delenv("TEST_INTAKE_IMAP_PASSWORD")
    errors = StringIO()

    with pytest.raises(CommandError, match="1 mailbox could not be read"):
        call_command("fetch_mail", stdout=StringIO(), stderr=errors)

    assert "TEST_INTAKE_IMAP_PASSWORD (its IMAP password) is not set" in errors.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_server_does_not_stop_the_other_mailboxes(mailbox, imap, dovecot, capsys):
    imap_mailbox("a-closed-port@example.org", dovecot, imap_port=harness.free_port())
    imap.append("INBOX", message())

    code, out, errors = run_manage_py(capsys)

    assert code == 1
    assert "a-closed-port@example.org: cannot reach the IMAP server 127.0.0.1:" in errors
    assert "intake@example.org: 1 filed" in out
    assert received().count() == 1


def test_an_unknown_mailbox_is_refused(mailbox):
    with pytest.raises(CommandError, match="No such mailbox: nobody@example.org"):
        fetch_mail("--mailbox", "nobody@example.org")


def test_only_the_named_mailbox_is_read(mailbox, imap, dovecot):
    other = imap_mailbox("other@example.org", dovecot, imap_host="imap.example.org")
    imap.append("INBOX", message())

    output = fetch_mail("--mailbox", mailbox.address)

    assert "intake@example.org: 1 filed" in output
    assert other.address not in output


def test_tls_to_a_server_without_it_is_a_clear_error(mailbox):
    mailbox_save(values={"imap_ssl": True}, mailbox=mailbox, expected_version=mailbox.version)
    errors = StringIO()

    with pytest.raises(CommandError):
        call_command("fetch_mail", stdout=StringIO(), stderr=errors)

    assert "intake@example.org: cannot reach the IMAP server 127.0.0.1:" in errors.getvalue()
    assert "SSL" in errors.getvalue()
