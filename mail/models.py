"""E-mail in and out: the mailboxes customers write to (Mailbox), each message kept once with
the request it belongs to (Mail) and its attachments (MailAttachment). Written by mail.services
only."""

import os
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import validate_email
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import CONTROL_CHARACTERS
from requests_app.models import Channel, CustomerRequest, RequestType


class AttachmentStorage(FileSystemStorage):
    """Attachments under MAIL_ATTACHMENTS_DIR, read from the settings at each use (tests point it
    at a temporary folder), never under a public media URL: only mail's view serves them."""

    @property
    def base_location(self):
        return Path(settings.MAIL_ATTACHMENTS_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @cached_property
    def base_url(self):
        return None


_storage = AttachmentStorage()


def attachment_storage() -> AttachmentStorage:
    return _storage


def attachment_path(instance: "MailAttachment", filename: str) -> str:
    """A random name under mail/<year>/<month>/: the sender's file name is data, never a path."""
    now = timezone.now()
    return f"mail/{now:%Y}/{now:%m}/{uuid4().hex}"


def _sender_line(line: str) -> bool:
    """A fax sender line: an address, or "@domain" for every address there."""
    try:
        validate_email(("gateway" + line) if line.startswith("@") else line)
    except ValidationError:
        return False
    return True


class Mailbox(models.Model):
    """An address customers write to, and how the IMAP reader fetches its mail. The password is
    never stored: `password_variable` names the environment variable that holds it."""

    address = models.EmailField(_("address"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    imap_host = models.CharField(_("IMAP server"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_ssl = models.BooleanField(_("IMAP over TLS"), default=True)
    imap_user = models.CharField(_("IMAP user"), max_length=255, blank=True)
    password_variable = models.CharField(
        _("password variable"),
        max_length=100,
        blank=True,
        help_text=_("The name of the environment variable that holds the IMAP password."),
    )
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    request_type = models.CharField(
        _("Request type"),
        max_length=12,
        choices=RequestType.choices,
        default=RequestType.INFORMATION,
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the acknowledgements sent from this mailbox."),
    )
    fax_senders = models.TextField(
        _("fax senders"),
        blank=True,
        help_text=_(
            "Addresses of fax-to-mail gateways, one per line: their mail becomes fax requests."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    def clean(self) -> None:
        errors = {}
        # An action request needs a problem code and a work address, which an e-mail does not
        # give: a mailbox makes information requests or comments.
        if self.request_type == RequestType.ACTION:
            errors["request_type"] = _(
                "An e-mail gives no problem code or work address: choose Information or Comment."
            )
        if any(character in self.name for character in "\r\n") or CONTROL_CHARACTERS.search(
            self.name
        ):
            # The name is the sender's name of every acknowledgement: one header line.
            errors["name"] = _("Use letters, digits, spaces and punctuation only.")
        wrong = [line for line in self.fax_sender_addresses() if not _sender_line(line)]
        if wrong:
            errors["fax_senders"] = _(
                "One address or “@domain” per line; not an address: %(lines)s"
            ) % {"lines": ", ".join(sorted(wrong))}
        if errors:
            raise ValidationError(errors)

    def password(self) -> str:
        """The IMAP password from the environment; empty when the variable is unset."""
        if not self.password_variable:
            return ""
        return os.environ.get(self.password_variable, "")

    def fax_sender_addresses(self) -> set[str]:
        return {line.strip().lower() for line in self.fax_senders.splitlines() if line.strip()}

    def is_fax_sender(self, address: str) -> bool:
        """Whether mail from `address` comes from one of the mailbox's fax gateways (a line
        "@fax.example.org" stands for every address of that domain)."""
        address = address.strip().lower()
        if not address:
            return False
        senders = self.fax_sender_addresses()
        domain = "@" + address.rpartition("@")[2]
        return address in senders or domain in senders


class Direction(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Sent")


class MailQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("mailbox", "request", "sent_by").prefetch_related("attachments")

    def newest_first(self):
        return self.order_by("-created_at", "-id")

    def acknowledgements_to(self, address: str, since):
        """The automatic e-mails we sent (or queued) to `address` since `since`."""
        return self.filter(
            direction=Direction.OUT, automatic=True, to_addresses=address, created_at__gte=since
        )


# RFC 5322 allows a subject line of 998 characters.
SUBJECT_LENGTH = 998
MESSAGE_ID_LENGTH = 255


class Mail(models.Model):
    """One e-mail, received or sent, kept once (by its Message-ID) and, unless it was an
    automatic one nothing referred to, with the request whose conversation it is."""

    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
    )
    request = models.ForeignKey(
        CustomerRequest,
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    # Without angle brackets; made from the raw bytes' digest when the message had none.
    message_id = models.CharField(_("Message-ID"), max_length=MESSAGE_ID_LENGTH, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=MESSAGE_ID_LENGTH, blank=True)
    references = models.TextField(_("References"), blank=True)  # one Message-ID per line
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    to_addresses = models.TextField(_("to"), blank=True)  # one address per line
    subject = models.CharField(_("subject"), max_length=SUBJECT_LENGTH, blank=True)
    text = models.TextField(_("text"), blank=True)
    # The HTML part as received: shown only through mail.html.sanitised_html.
    html = models.TextField(_("HTML"), blank=True)
    channel = models.CharField(
        _("Channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    # An auto-reply or bounce that was kept, or an acknowledgement we sent.
    automatic = models.BooleanField(_("automatic"), default=False)
    # Attachments not kept, each {"filename", "content_type", "size", "reason"}.
    refused_attachments = models.JSONField(_("refused attachments"), default=list, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    # Incoming: the sender's Date header; outgoing: when the task worker sent it.
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Outgoing, written by an agent (a reply from the request page); None for an automatic one.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Outgoing: the last attempt to send failed (the SMTP server's answer), shown to the agents.
    send_error = models.TextField(_("sending failed"), blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = MailQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["request", "-created_at"], name="mail_request_newest"),
            # The acknowledgement limit: those sent to one address within the last hour.
            models.Index(
                fields=["to_addresses", "created_at"],
                name="mail_acknowledgements",
                condition=models.Q(direction="out", automatic=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id

    @property
    def incoming(self) -> bool:
        return self.direction == Direction.IN

    @property
    def send_state(self) -> str:
        """An outgoing e-mail's state: "queued" (the worker has not sent it yet), "sent", or
        "failed" (the last attempt failed; send_error says why)."""
        if self.sent_at is not None:
            return "sent"
        if self.failed_at is not None:
            return "failed"
        return "queued"


class MailAttachment(models.Model):
    """A file that came with an e-mail, kept under a random name; `filename` is the sender's."""

    mail = models.ForeignKey(Mail, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"), upload_to=attachment_path, storage=attachment_storage, max_length=200
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("mail:attachment", args=[self.pk])
