"""E-mails as a mail server receives them, for the IMAP tests and bench/mail_intake.py."""

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

DOMAIN = "example.net"


def message(
    subject: str = "Streetlight out on Elm Street",
    body: str = "The light in front of number 12 has been out since Monday.",
    *,
    sender: str = "Kari Nordmann <kari@example.net>",
    to: str = "intake@example.org",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict | None = None,
    attachments: tuple = (),
    html: str | None = None,
) -> bytes:
    """One e-mail's raw bytes; attachments are (filename, content type, bytes); html, an HTML
    version beside the text (multipart/alternative)."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = message_id or make_msgid(domain=DOMAIN)
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    if html:
        mail.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    # CRLF line ends, as SMTP delivers them and IMAP stores them.
    return mail.as_bytes(policy=policy.SMTP)


def auto_reply(to_message_id: str) -> bytes:
    """An out-of-office answer (RFC 3834's Auto-Submitted header)."""
    return message(
        "Automatic reply: Streetlight out on Elm Street",
        "I am out of the office until Monday.",
        sender="Ola Nordmann <ola@example.net>",
        in_reply_to=to_message_id,
        headers={"Auto-Submitted": "auto-replied"},
    )
