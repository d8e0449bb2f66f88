"""manage.py sample_mail [--from ADDRESS] [--subject …]: a resident's e-mail filed into the demo
mailbox, as the IMAP reader files what it fetches (mail_receive): it becomes a request, or joins
one (a subject with a request's number in brackets)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from demo.mail import DEMO_MAILBOX, sample_message
from mail.models import Direction, Mail, Mailbox
from mail.services import mail_receive


class Command(BaseCommand):
    help = (
        f"Files one sample e-mail into the demo mailbox {DEMO_MAILBOX} (made by load_demo_data) "
        "and prints the request it made or joined."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="sender",
            help="the sender's address (default: a demo customer with an e-mail address)",
        )
        parser.add_argument(
            "--subject",
            help="the subject (default: a sample's); put [CR-…] in it to write to that request",
        )

    def handle(self, *args, sender=None, subject=None, **options):
        mailbox = Mailbox.objects.filter(address=DEMO_MAILBOX).first()
        if mailbox is None:
            raise CommandError(
                f"there is no demo mailbox {DEMO_MAILBOX}: run `manage.py load_demo_data` first"
            )
        if sender is not None:
            sender = sender.strip()
            try:
                validate_email(sender)
            except ValidationError as error:
                raise CommandError(f"--from: not an e-mail address: {sender!r}") from error
        if subject is not None and any(character in subject for character in "\r\n"):
            raise CommandError("--subject: one line, please")
        raw = bytes(sample_message(to=mailbox.address, sender=sender, subject=subject))
        mail = mail_receive(mailbox=mailbox, raw=raw)
        if mail is None or mail.request is None:
            raise CommandError("the e-mail was not filed (mail from one of our own addresses?)")
        request = mail.request
        earlier = (
            Mail.objects.filter(request=request, direction=Direction.IN)
            .exclude(pk=mail.pk)
            .exists()
        )
        verb = "joined" if earlier else "made"
        self.stdout.write(
            f"E-mail from {mail.from_address} “{mail.subject}” {verb} request {request.number} "
            f"({request.get_absolute_url()})."
        )
