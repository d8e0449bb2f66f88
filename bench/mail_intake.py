"""Time the e-mail intake: --messages realistic e-mails (replies, out-of-office answers, small
attachments, some in HTML) appended to a throwaway dovecot's mailbox (tests/mail/imap/dovecot.py),
then filed by the code path of `manage.py fetch_mail` (mail.imap.fetch_mailbox, mail_receive for
each message), on a test database it creates and drops:

    DEBUG=true .venv/bin/python bench/mail_intake.py --messages 1000
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/mail_intake_bench \\
        .venv/bin/python bench/mail_intake.py --messages 1000

On PostgreSQL it creates and drops test_<name>; the database DATABASE_URL names is not touched.
On SQLite the test database is a file in a temporary folder (as the tests' is), not in memory.
Prints how long the append, a bare IMAP read of every message, and the filing took (messages
per second, mail_receive's median and p95 per message), and what was filed. Nothing here
asserts a time.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from mail import imap as intake  # noqa: E402
from mail.models import Mail, Mailbox  # noqa: E402
from mail.services import mailbox_save  # noqa: E402
from requests_app.models import CustomerRequest  # noqa: E402
from tests.mail.imap import dovecot as harness  # noqa: E402
from tests.mail.imap.messages import auto_reply, message  # noqa: E402

PASSWORD_VARIABLE = "BENCH_IMAP_PASSWORD"
STREETS = ["Elm Street", "Main Street", "Harbour Road", "Station Square", "Mill Lane", "Park Row"]
PROBLEMS = [
    ("Streetlight out", "The streetlight in front of number {n} has been out since Monday."),
    ("Pothole", "There is a deep pothole by number {n}; a cyclist nearly fell this morning."),
    ("Overflowing bin", "The public bin at number {n} has not been emptied for two weeks."),
    ("Graffiti", "Someone sprayed graffiti on the wall of number {n} last night."),
    ("Blocked drain", "The drain outside number {n} is blocked and the road floods when it rains."),
    ("Fallen tree", "A tree fell across the footpath near number {n} in the storm."),
]
NAMES = ["Kari Nordmann", "Ola Hansen", "Anna Schmidt", "Jonas Weber", "Ingrid Berg", "Lena Koch"]
# A small photo or scan: a few kilobytes, as a phone's resized picture or a one-page PDF.
ATTACHMENTS = [
    ("photo.jpg", "image/jpeg", 24_000),
    ("letter.pdf", "application/pdf", 60_000),
    ("map.png", "image/png", 12_000),
]


def html_version(text: str) -> str:
    return f"<html><body><p>{text}</p><p>Kind regards</p></body></html>"


def messages(count: int, seed: int = 1) -> list[bytes]:
    """count e-mails to the city: about 15 % replies to an earlier one, 3 % out-of-office
    answers, 10 % with a small attachment, 30 % with an HTML version."""
    rng = random.Random(seed)
    sent: list[str] = []
    made: list[bytes] = []
    for number in range(count):
        name = rng.choice(NAMES)
        sender = f"{name} <{name.lower().replace(' ', '.')}.{number % 97}@example.net>"
        message_id = f"<bench-{number}@example.net>"
        roll = rng.random()
        if sent and roll < 0.03:
            made.append(auto_reply(rng.choice(sent)))
            continue
        problem, text = rng.choice(PROBLEMS)
        street = rng.choice(STREETS)
        body = text.format(n=rng.randint(1, 200)) + f"\n\n{street}\n{name}\n"
        subject = f"{problem} on {street}"
        in_reply_to = None
        if sent and roll < 0.18:
            in_reply_to = rng.choice(sent)
            subject = "Re: " + subject
            body = "Any news? It is still the same.\n\n> " + body.replace("\n", "\n> ")
        attachments = ()
        if rng.random() < 0.10:
            filename, content_type, size = rng.choice(ATTACHMENTS)
            attachments = ((filename, content_type, rng.randbytes(size)),)
        raw = message(
            subject,
            body,
            sender=sender,
            message_id=message_id,
            in_reply_to=in_reply_to,
            attachments=attachments,
            html=html_version(body) if rng.random() < 0.3 else None,
        )
        made.append(raw)
        sent.append(message_id)
    return made


def append_all(dovecot: harness.Dovecot, raws: list[bytes]) -> float:
    """Delivers the messages (APPEND, 100 per MULTIAPPEND); seconds taken."""
    client = harness.client(dovecot)
    started = time.perf_counter()
    for start in range(0, len(raws), 100):
        client.multiappend("INBOX", raws[start : start + 100])
    elapsed = time.perf_counter() - started
    harness.close(client)
    return elapsed


def bare_read(mailbox: Mailbox) -> float:
    """Seconds to read every unseen message as fetch_mail does, without filing any: what IMAP
    alone costs."""
    connection = intake.connect(mailbox)
    started = time.perf_counter()
    uids = sorted(connection.search("UNSEEN"))
    for batch in intake._batches(connection, uids):
        connection.fetch(batch, ["BODY.PEEK[]"])
    elapsed = time.perf_counter() - started
    intake._close(connection)
    return elapsed


def time_each_filing() -> list[float]:
    """mail_receive as fetch_mail calls it, timed: its milliseconds for each message."""
    timings: list[float] = []
    receive = intake.mail_receive

    def timed_receive(**arguments):
        started = time.perf_counter()
        try:
            return receive(**arguments)
        finally:
            timings.append((time.perf_counter() - started) * 1000)

    intake.mail_receive = timed_receive
    return timings


def use_temporary_sqlite_file(folder: Path) -> None:
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["TEST"] = {**database.get("TEST", {}), "NAME": str(folder / "bench.sqlite3")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    options = parser.parse_args()

    setup_test_environment()
    folder = Path(tempfile.mkdtemp(prefix="mail-intake-bench-"))
    # dovecot's unprivileged processes read the password file and the Maildir inside it.
    folder.chmod(0o755)
    settings.MAIL_ATTACHMENTS_DIR = folder / "attachments"
    use_temporary_sqlite_file(folder)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    if not Path(harness.DOVECOT).exists():
        sys.exit(f"{harness.DOVECOT} is missing: apt-get install -y dovecot-imapd")
    dovecot = harness.start_dovecot(folder / "dovecot")
    try:
        os.environ[PASSWORD_VARIABLE] = dovecot.password
        mailbox = mailbox_save(
            values={
                "address": dovecot.user,
                "name": "City intake",
                "imap_host": dovecot.host,
                "imap_port": dovecot.port,
                "imap_ssl": False,
                "imap_user": dovecot.user,
                "password_variable": PASSWORD_VARIABLE,
                "language": "en",
            }
        )
        raws = messages(options.messages)
        size = sum(len(raw) for raw in raws)
        print(
            f"{connection.vendor}, {len(raws)} messages, {size / 1024 / 1024:.1f} MiB, "
            f"dovecot {dovecot.port}"
        )
        appended = append_all(dovecot, raws)
        print(f"append:      {appended:6.1f} s")
        read = bare_read(mailbox)
        print(f"IMAP read:   {read:6.1f} s  ({len(raws) / read:.0f} messages/s)")

        timings = time_each_filing()
        started = time.perf_counter()
        result = intake.fetch_mailbox(mailbox)
        filed = time.perf_counter() - started
        print(f"fetch_mail:  {filed:6.1f} s  ({len(raws) / filed:.0f} messages/s)")
        timings.sort()
        print(
            f"  mail_receive per message: median {statistics.median(timings):.1f} ms, "
            f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms"
        )
        print(
            f"  {result.filed} filed, {result.ignored} ignored, {result.failed} failed; "
            f"{Mail.objects.count()} e-mails, {CustomerRequest.objects.count()} requests"
        )
        started = time.perf_counter()
        again = intake.fetch_mailbox(mailbox)
        print(
            f"fetch_mail again (nothing new): {time.perf_counter() - started:.2f} s, "
            f"{again.filed} filed"
        )
    finally:
        dovecot.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
