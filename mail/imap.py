"""Reading the city's mailboxes over IMAP into requests (mail.services.mail_receive files each
message).

The mailbox's unread state is the queue: the unseen messages of the mailbox's folder are read
in UID order, in batches, without marking them seen (BODY.PEEK[]); each is filed, then flagged
\\Seen. So a first connection to a mailbox with years of read mail does not file them all, and a
person can put a message back into the queue by marking it unread. A message whose filing
failed unexpectedly is logged, flagged \\Flagged for a person looking at the mailbox, and left
unseen: the next round tries it again, and it does not stop the messages after it. A crash
between filing and flagging files the message again on the next round, which mail_receive
recognises by its Message-ID.

fetch_mailbox() reads a mailbox once (manage.py fetch_mail, from cron); watch_mailboxes() keeps
reading every active mailbox, one thread each (watch_mailbox), waiting for new mail with IDLE
where the server offers it and looking every POLL_SECONDS where not, reconnecting with backoff
after errors (manage.py fetch_mail --idle, a long-running service)."""

import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field

from django.db import close_old_connections, connections
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from mail.models import Mailbox
from mail.parsing import UnreadableMail
from mail.services import mail_receive

logger = logging.getLogger(__name__)

SEEN = b"\\Seen"
FLAGGED = b"\\Flagged"
# Messages fetched per FETCH command, and their size at most: few round trips, bounded memory
# with large attachments.
BATCH = 25
BATCH_BYTES = 20 * 1024 * 1024
# Seconds a connection may wait for the server before it counts as lost (not during IDLE).
TIMEOUT = 60
# An IDLE is renewed after this long: servers end it after 30 minutes (RFC 2177), and NAT
# routers forget quiet connections sooner.
IDLE_SECONDS = 9 * 60
# How often a waiting loop looks at its stop event (and how quickly it stops).
IDLE_CHECK_SECONDS = 1
# How often a server without IDLE is asked for new mail.
POLL_SECONDS = 60
# The wait before reconnecting after an error doubles up to this.
MAX_BACKOFF_SECONDS = 300
# How often the watcher reads the mailboxes again: a mailbox added, changed or made inactive
# is watched, watched afresh or left within this long.
REFRESH_SECONDS = 60

NETWORK_ERRORS = (OSError, socket.timeout, ssl.SSLError, IMAPClientError)


class MailboxError(Exception):
    """A mailbox that cannot be read at all (no password, server unreachable, login refused,
    no such folder); its message is for the person who configured the mailbox."""


@dataclass
class FetchResult:
    """What one round of a mailbox did: messages filed (or found filed before: the same
    Message-ID), ignored by mail_receive (machines' mail about nothing of ours, our own),
    unreadable (no e-mail; flagged, not tried again) and failed (left for the next round)."""

    filed: int = 0
    ignored: int = 0
    unreadable: int = 0
    failed: int = 0
    failures: list = field(default_factory=list)

    def add(self, other: "FetchResult") -> None:
        self.filed += other.filed
        self.ignored += other.ignored
        self.unreadable += other.unreadable
        self.failed += other.failed
        self.failures += other.failures


def readable_mailboxes(addresses: list | None = None):
    """The active mailboxes with an IMAP server (of addresses, when given): a mailbox without
    one only sends."""
    mailboxes = Mailbox.objects.filter(active=True).exclude(imap_host="").order_by("address")
    if addresses:
        mailboxes = mailboxes.filter(address__in=addresses)
    return mailboxes


def connect(mailbox: Mailbox) -> IMAPClient:
    """A logged-in connection with the mailbox's folder selected, or MailboxError saying what
    is wrong in words a person configuring the mailbox can act on."""
    password = mailbox.password()
    if not password:
        raise MailboxError(
            _("%(mailbox)s: the environment variable %(variable)s (its IMAP password) is not set.")
            % {"mailbox": mailbox.address, "variable": mailbox.password_variable}
        )
    where = {"mailbox": mailbox.address, "host": mailbox.imap_host, "port": mailbox.imap_port}
    try:
        connection = IMAPClient(
            mailbox.imap_host, mailbox.imap_port, ssl=mailbox.imap_ssl, timeout=TIMEOUT
        )
    except NETWORK_ERRORS as error:
        raise MailboxError(
            _("%(mailbox)s: cannot reach the IMAP server %(host)s:%(port)s: %(error)s")
            % {**where, "error": error}
        ) from error
    try:
        connection.login(mailbox.imap_user, password)
        connection.select_folder(mailbox.folder)
    except LoginError as error:
        _close(connection)
        raise MailboxError(
            _("%(mailbox)s: %(host)s:%(port)s refused the login of %(user)s: %(error)s")
            % {**where, "user": mailbox.imap_user, "error": _reason(error)}
        ) from error
    except NETWORK_ERRORS as error:
        _close(connection)
        raise MailboxError(
            _("%(mailbox)s: cannot open the folder %(folder)s on %(host)s:%(port)s: %(error)s")
            % {**where, "folder": mailbox.folder, "error": _reason(error)}
        ) from error
    return connection


def _reason(error: Exception) -> str:
    """The server's words from an imapclient error (it wraps them in b'...')."""
    text = str(error)
    if text.startswith(("b'", 'b"')) and text.endswith(text[1]):
        text = text[2:-1]
    return text


def _close(connection: IMAPClient) -> None:
    """Logs out, or at least drops the socket: a lost connection cannot log out."""
    try:
        connection.logout()
    except Exception:  # noqa: BLE001 - closing a connection that may be gone already
        with suppress(Exception):
            connection.shutdown()


def _batches(connection: IMAPClient, uids: list) -> Iterator[list]:
    """The UIDs in order, in groups of at most BATCH messages and BATCH_BYTES (a message
    larger than that alone): a few large attachments do not fill the memory."""
    if not uids:
        return
    sizes = connection.fetch(uids, ["RFC822.SIZE"])
    batch, batch_bytes = [], 0
    for uid in uids:
        size = sizes.get(uid, {}).get(b"RFC822.SIZE", 0)
        if batch and (len(batch) == BATCH or batch_bytes + size > BATCH_BYTES):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(uid)
        batch_bytes += size
    if batch:
        yield batch


def _file(mailbox: Mailbox, uid: int, raw: bytes) -> str:
    """Files one message: "filed", "ignored" (mail_receive chose not to file it: that is done
    too), "unreadable" (no e-mail at all: trying again cannot help) or "failed" (an unexpected
    error, logged, for the next round)."""
    try:
        mail = mail_receive(mailbox=mailbox, raw=raw)
    except UnreadableMail as error:
        logger.warning("%s: message UID %s is no e-mail (%s); flagged", mailbox, uid, error)
        return "unreadable"
    except Exception:
        logger.exception("%s: message UID %s could not be filed; left unseen", mailbox, uid)
        return "failed"
    return "ignored" if mail is None else "filed"


def fetch_new(mailbox: Mailbox, connection: IMAPClient) -> FetchResult:
    """Files the unseen messages of the selected folder, oldest first, and flags each one
    that is done \\Seen (in one STORE per batch)."""
    result = FetchResult()
    uids = sorted(connection.search("UNSEEN"))
    for batch in _batches(connection, uids):
        # BODY.PEEK[] leaves \Seen alone: a message is marked only once it is filed.
        fetched = connection.fetch(batch, ["BODY.PEEK[]"])
        outcomes = {"filed": [], "ignored": [], "unreadable": [], "failed": []}
        for uid in batch:
            if uid in fetched:  # else expunged by someone else in between
                outcomes[_file(mailbox, uid, fetched[uid][b"BODY[]"])].append(uid)
        _flag(connection, outcomes)
        result.add(
            FetchResult(
                filed=len(outcomes["filed"]),
                ignored=len(outcomes["ignored"]),
                unreadable=len(outcomes["unreadable"]),
                failed=len(outcomes["failed"]),
                failures=outcomes["failed"],
            )
        )
    return result


def _flag(connection: IMAPClient, outcomes: dict) -> None:
    """\\Seen for what is done, \\Flagged (for a person) for what is not filed: the failures
    stay unseen for the next round, an unreadable message is seen (no round can read it). A
    flag is never taken away: it may be a person's."""
    done = outcomes["filed"] + outcomes["ignored"]
    if done:
        connection.add_flags(done, [SEEN])
    if outcomes["unreadable"]:
        connection.add_flags(outcomes["unreadable"], [SEEN, FLAGGED])
    if outcomes["failed"]:
        connection.add_flags(outcomes["failed"], [FLAGGED])


def fetch_mailbox(mailbox: Mailbox) -> FetchResult:
    """One round: connect, file what is new, log out. MailboxError when the mailbox cannot be
    read at all."""
    connection = connect(mailbox)
    try:
        return fetch_new(mailbox, connection)
    except NETWORK_ERRORS as error:
        raise MailboxError(
            _("%(mailbox)s: the connection to %(host)s:%(port)s failed: %(error)s")
            % {
                "mailbox": mailbox.address,
                "host": mailbox.imap_host,
                "port": mailbox.imap_port,
                "error": _reason(error),
            }
        ) from error
    finally:
        _close(connection)


def _wait_for_news(connection: IMAPClient, stop: threading.Event) -> None:
    """Waits in IDLE until the server reports a change, IDLE_SECONDS pass or stop is set."""
    connection.idle()
    try:
        deadline = time.monotonic() + IDLE_SECONDS
        while not stop.is_set() and time.monotonic() < deadline:
            asked = time.monotonic()
            if connection.idle_check(timeout=IDLE_CHECK_SECONDS):
                return
            if time.monotonic() - asked < IDLE_CHECK_SECONDS / 2:
                # Readable at once yet no response: the server closed the connection
                # (imapclient swallows the EOF); idle_done() will say so.
                return
    finally:
        connection.idle_done()


def _new_mail_announced(connection: IMAPClient) -> bool:
    """Whether the server announced new mail (EXISTS) since the last call, and forgets it.

    A server announces a new message once, in the answer to whatever command comes next; a
    message arriving during a round is announced in the answer to its SEARCH, FETCH or STORE,
    which imapclient does not hand back (imaplib keeps it in untagged_responses). Without this
    look the watcher would go into IDLE and hear of that message only at the next renewal."""
    return bool(connection._imap.untagged_responses.pop("EXISTS", None))


def _serve(mailbox: Mailbox, connection: IMAPClient, stop: threading.Event) -> None:
    """Files new mail on one connection until stop is set or the connection fails."""
    can_idle = connection.has_capability("IDLE")
    while not stop.is_set():
        _new_mail_announced(connection)
        result = fetch_new(mailbox, connection)
        if result.filed or result.ignored or result.unreadable or result.failed:
            logger.info(
                "%s: %s filed, %s ignored, %s unreadable, %s failed",
                mailbox,
                result.filed,
                result.ignored,
                result.unreadable,
                result.failed,
            )
        # Between rounds a long-running thread may find its database connection gone.
        close_old_connections()
        if _new_mail_announced(connection):
            continue
        if can_idle:
            _wait_for_news(connection, stop)
        else:
            stop.wait(POLL_SECONDS)
            if not stop.is_set():
                connection.noop()


def watch_mailbox(mailbox: Mailbox, stop: threading.Event) -> None:
    """Keeps filing the mailbox's new mail until stop is set: IDLE where the server offers it,
    a look every POLL_SECONDS where not. After an error it logs it and reconnects, waiting
    1, 2, 4 … up to MAX_BACKOFF_SECONDS, so that a wrong password or a server that drops every
    connection is not hammered; a connection that served a while starts the count again."""
    backoff = 1
    try:
        while not stop.is_set():
            try:
                connection = connect(mailbox)
            except MailboxError as error:
                logger.error("%s; trying again in %s s", error, backoff)
            else:
                connected = time.monotonic()
                try:
                    _serve(mailbox, connection, stop)
                except NETWORK_ERRORS as error:
                    logger.warning("%s: connection lost (%s); reconnecting", mailbox, error)
                except Exception:
                    # Whatever else went wrong (the database away between rounds): the
                    # mailbox is watched again after the wait, not dropped until a restart.
                    logger.exception("%s: watching failed; reconnecting", mailbox)
                finally:
                    _close(connection)
                if time.monotonic() - connected > MAX_BACKOFF_SECONDS:
                    backoff = 1
            if stop.wait(backoff):
                break
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
    finally:
        # The thread's own database connection.
        connections.close_all()


@dataclass
class _Watcher:
    settings: tuple
    stop: threading.Event
    thread: threading.Thread


def _settings(mailbox: Mailbox) -> tuple:
    """Every field of the mailbox: a change to any of them (server, folder, the request type
    its mail files) restarts its watcher with the new values."""
    return tuple(getattr(mailbox, f.attname) for f in mailbox._meta.concrete_fields)


def _start_watcher(mailbox: Mailbox) -> _Watcher:
    stop = threading.Event()
    thread = threading.Thread(
        target=watch_mailbox, args=(mailbox, stop), name=f"mail {mailbox.address}", daemon=True
    )
    thread.start()
    logger.info("%s: watching %s on %s", mailbox, mailbox.folder, mailbox.imap_host)
    return _Watcher(_settings(mailbox), stop, thread)


def _sync_watchers(watchers: dict, addresses: list | None) -> None:
    """One watcher per active mailbox (of addresses, when given), as the database has them now
    (a watcher that ended all the same is started again)."""
    current = {mailbox.pk: mailbox for mailbox in readable_mailboxes(addresses)}
    for pk in list(watchers):
        mailbox = current.get(pk)
        watcher = watchers[pk]
        if (
            mailbox is None
            or _settings(mailbox) != watcher.settings
            or not watcher.thread.is_alive()
        ):
            watchers.pop(pk).stop.set()
    for pk, mailbox in current.items():
        if pk not in watchers:
            watchers[pk] = _start_watcher(mailbox)


def watch_mailboxes(stop: threading.Event, addresses: list | None = None) -> None:
    """Watches every active mailbox (or those of addresses) until stop is set, following the
    mailboxes' changes every REFRESH_SECONDS; waits for its watchers to stop."""
    watchers: dict = {}
    try:
        while not stop.is_set():
            try:
                _sync_watchers(watchers, addresses)
            except Exception:
                # The database away for a moment: the mailboxes watched go on; look again later.
                logger.exception("Reading the mailboxes failed; trying again")
            close_old_connections()
            stop.wait(REFRESH_SECONDS)
    finally:
        for watcher in watchers.values():
            watcher.stop.set()
        for watcher in watchers.values():
            watcher.thread.join(timeout=IDLE_CHECK_SECONDS + TIMEOUT)
        # This thread's own database connection (fetch_mail --idle ends here anyway).
        connections.close_all()
