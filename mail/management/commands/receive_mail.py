"""`manage.py receive_mail --mailbox ADDRESS < message`: one e-mail from standard input, for
a mail server that pipes each message to a program (Postfix's pipe, Exim's transports)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from mail.models import Mailbox
from mail.parsing import UnreadableMail
from mail.services import mail_receive

# Larger input is refused, not read into memory whole.
MAX_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = "Take one raw e-mail from standard input into the given mailbox."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", required=True, help="The address the mail was sent to.")

    def handle(self, *args, mailbox: str, **options):
        box = Mailbox.objects.filter(address__iexact=mailbox.strip()).first()
        if box is None:
            raise CommandError(f"No mailbox {mailbox!r}: make it first.")
        raw = self.read_input()
        try:
            mail = mail_receive(mailbox=box, raw=raw)
        except UnreadableMail as error:
            raise CommandError(f"Unreadable message: {error}") from None
        if mail is None:
            self.stdout.write("Ignored (automatic, or from our own address).")
        elif mail.request_id:
            self.stdout.write(f"Kept {mail.message_id} with {mail.request.number}.")
        else:
            self.stdout.write(f"Kept {mail.message_id}.")

    def read_input(self) -> bytes:
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise CommandError(f"The message is larger than {MAX_BYTES} bytes.")
        return raw
