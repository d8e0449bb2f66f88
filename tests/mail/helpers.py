"""Messages as mail programs write them, and an SMTP sink that keeps what arrives."""

import email
import email.policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone


def message(
    *,
    sender: str = "Kari Nordmann <kari@example.no>",
    to: str = "service@city.example",
    subject: str = "Streetlight out on Main Street",
    text: str | None = "The streetlight in front of number 5 has been dark since Monday.",
    html: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id or make_msgid(domain="example.no")
    for name, value in (headers or {}).items():
        mail[name] = value
    if text is not None:
        mail.set_content(text)
    if html is not None:
        if text is None:
            mail.set_content(html, subtype="html")
        else:
            mail.add_alternative(html, subtype="html")
    return mail


def reply_to(original: EmailMessage, **kwargs) -> EmailMessage:
    """A reply as mail programs thread it: In-Reply-To and References."""
    headers = {
        "In-Reply-To": original["Message-ID"],
        "References": original["Message-ID"],
        **kwargs.pop("headers", {}),
    }
    return message(subject="Re: " + original["Subject"], headers=headers, **kwargs)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Sink:
    """aiosmtpd handler: every message that arrives, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"
