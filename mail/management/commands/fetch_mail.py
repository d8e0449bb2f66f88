"""manage.py fetch_mail: files the new e-mail of every active mailbox as requests (mail.imap).

Once by default, for cron every minute where no long-running process can be kept:

    * * * * * cd /srv/callcenter && .venv/bin/python manage.py fetch_mail

With --idle it keeps running, a service beside the task worker: each mailbox waits for new mail
with IDLE (a look every minute on servers without it) and reconnects after errors; SIGTERM or
Ctrl-C stops it."""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mail.imap import MailboxError, fetch_mailbox, readable_mailboxes, watch_mailboxes
from mail.models import Mailbox


class Command(BaseCommand):
    # A class attribute is read before any language is active, and argparse wants a str.
    help = (
        "Files the new e-mail of every active mailbox as requests, once (for cron every "
        "minute) or, with --idle, as new mail arrives until stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--idle",
            action="store_true",
            help=_("Keep running and file new mail as it arrives (IMAP IDLE)."),
        )
        parser.add_argument(
            "--mailbox",
            action="append",
            metavar="ADDRESS",
            help=_("Only this mailbox (repeat for more); default: every active mailbox."),
        )

    def handle(self, *args, idle=False, mailbox=None, **options) -> None:
        addresses = mailbox or None
        if addresses:
            known = Mailbox.objects.filter(address__in=addresses).values_list("address", flat=True)
            unknown = sorted(set(addresses) - set(known))
            if unknown:
                raise CommandError(
                    _("No such mailbox: %(addresses)s") % {"addresses": ", ".join(unknown)}
                )
        if idle:
            self._watch(addresses)
        else:
            self._fetch_once(addresses)

    def _fetch_once(self, addresses: list | None) -> None:
        """Each mailbox in turn; one that cannot be read is reported and does not stop the
        others, and makes the command end with exit code 1 (cron mails the output)."""
        unreadable = 0
        mailboxes = readable_mailboxes(addresses)
        if not mailboxes:
            self.stdout.write(_("No active mailbox with an IMAP server."))
        for box in mailboxes:
            try:
                result = fetch_mailbox(box)
            except MailboxError as error:
                self.stderr.write(str(error))
                unreadable += 1
                continue
            self.stdout.write(self._summary(box, result))
        if unreadable:
            raise CommandError(
                ngettext(
                    "%(count)d mailbox could not be read.",
                    "%(count)d mailboxes could not be read.",
                    unreadable,
                )
                % {"count": unreadable}
            )

    def _summary(self, box: Mailbox, result) -> str:
        summary = _("%(mailbox)s: %(filed)d filed, %(ignored)d ignored, %(failed)d failed") % {
            "mailbox": box.address,
            "filed": result.filed,
            "ignored": result.ignored,
            "failed": result.failed,
        }
        if result.unreadable:
            summary += ", " + _("%(count)d no e-mail (flagged)") % {"count": result.unreadable}
        return summary

    def _watch(self, addresses: list | None) -> None:
        """Until SIGTERM or Ctrl-C: the watchers end their IDLE and log out."""
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        self.stdout.write(_("Watching the mailboxes for new mail; Ctrl-C stops."))
        try:
            watch_mailboxes(stop, addresses)
        except KeyboardInterrupt:
            stop.set()
