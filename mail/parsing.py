"""Reading a raw e-mail (RFC 5322 bytes, as IMAP or an MTA hands it over) into what the services
keep. Standard library only (email, policy.default); nothing here touches the database."""

import email
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, Message

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from callcenter.inputs import CONTROL_CHARACTERS, EARLIEST_DAY, LATEST_DAY
from mail.html import text_from_html
from mail.models import MESSAGE_ID_LENGTH, SUBJECT_LENGTH

MESSAGE_IDS = re.compile(r"<([^<>\s]+)>")
# Made up for a message without a Message-ID: its raw bytes' digest at a domain that is none.
MADE_UP_DOMAIN = "no-message-id.invalid"
# Senders that are mail systems, not people (bounces come from them).
SYSTEM_SENDERS = {"mailer-daemon", "postmaster"}
AUTOMATIC_HEADERS = ("X-Autoreply", "X-Autorespond", "List-Id")
BULK_PRECEDENCE = {"bulk", "junk", "list"}


class UnreadableMail(ValueError):
    """The bytes are no e-mail we can read (empty, or without any header)."""


@dataclass(frozen=True)
class Part:
    """A file that came with the message, before it is checked."""

    filename: str
    content_type: str
    payload: bytes


@dataclass
class ParsedMail:
    message_id: str
    made_up_id: bool
    in_reply_to: str
    references: list[str]
    from_address: str
    from_name: str
    to_addresses: list[str]
    subject: str
    text: str
    html: str
    date: datetime | None
    # Why the message is an auto-reply or bounce ("" for a person's mail).
    automatic: str
    # Message-IDs a delivery report quotes (the message that bounced).
    reported_ids: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    def referred_ids(self) -> list[str]:
        """Every Message-ID this message answers or reports on, the nearest first."""
        ids = [self.in_reply_to, *reversed(self.references), *self.reported_ids]
        return list(dict.fromkeys(item for item in ids if item))


def parse(raw: bytes) -> ParsedMail:
    """Everything mail_receive needs of the raw message. Raises UnreadableMail."""
    if not raw or not raw.strip():
        raise UnreadableMail("empty message")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not message.keys():
        raise UnreadableMail("no headers")
    message_id = normalise_message_id(_header(message, "Message-ID"))
    made_up = not message_id
    if made_up:
        message_id = f"{hashlib.sha256(raw).hexdigest()}@{MADE_UP_DOMAIN}"
    from_address, from_name = _sender(message)
    body_text, body_html, parts = _body_and_parts(message)
    text = body_text or (text_from_html(body_html) if body_html else "")
    return ParsedMail(
        message_id=message_id,
        made_up_id=made_up,
        in_reply_to=next(iter(message_ids(_header(message, "In-Reply-To"))), ""),
        references=message_ids(_header(message, "References")),
        from_address=from_address,
        from_name=from_name,
        to_addresses=_addresses(message, "To") + _addresses(message, "Cc"),
        subject=clean_text(" ".join(_header(message, "Subject").split()))[:SUBJECT_LENGTH],
        text=clean_text(text),
        html=clean_text(body_html),
        date=_date(message),
        automatic=automatic_reason(message, from_address),
        reported_ids=_reported_ids(message),
        parts=parts,
    )


def clean_text(text: str) -> str:
    """Text as the database keeps it: no NUL or other control characters (PostgreSQL refuses
    NUL), line ends as newlines."""
    return CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def normalise_message_id(value: str) -> str:
    """A Message-ID as stored: without angle brackets and spaces; one too long for the column
    becomes its digest, the same each time it is met in a References header."""
    ids = message_ids(value)
    if ids:
        return ids[0]
    bare = "".join(value.split()).strip("<>")
    return _fitting(bare) if bare else ""


def message_ids(value: str) -> list[str]:
    """The Message-IDs of an In-Reply-To or References header, in their order."""
    return [_fitting(item) for item in MESSAGE_IDS.findall(value or "")]


def _fitting(message_id: str) -> str:
    message_id = CONTROL_CHARACTERS.sub("", message_id)
    if len(message_id) <= MESSAGE_ID_LENGTH:
        return message_id
    return hashlib.sha256(message_id.encode()).hexdigest() + "@long-message-id.invalid"


def _header(message: Message, name: str) -> str:
    """A header's text, or "" when it is missing or cannot be read."""
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):
        return ""
    return str(value) if value is not None else ""


def _sender(message: Message) -> tuple[str, str]:
    """The sender's address (lower case, "" when none or not an address) and name."""
    name, address = email.utils.parseaddr(_header(message, "From"))
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        address = ""
    return address, clean_text(" ".join(name.split()))[:200]


def _addresses(message: Message, name: str) -> list[str]:
    pairs = email.utils.getaddresses([_header(message, name)])
    return [address.strip().lower() for _name, address in pairs if "@" in address]


def _date(message: Message) -> datetime | None:
    """When the sender says they sent it; None for a date nobody can mean (the calendar's
    ends would fail the conversion to UTC)."""
    try:
        date = email.utils.parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if date.tzinfo is None:  # "-0000": the time in UTC, the zone unknown (RFC 5322 3.3)
        date = date.replace(tzinfo=UTC)
    if not EARLIEST_DAY <= date.date() <= LATEST_DAY:
        return None
    return date


def automatic_reason(message: Message, from_address: str) -> str:
    """Why the message was written by a machine and must neither make a request nor be
    answered (RFC 3834 and the headers mail systems use in practice); "" for a person's."""
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if _header(message, "Precedence").strip().lower() in BULK_PRECEDENCE:
        return "Precedence"
    for name in AUTOMATIC_HEADERS:
        if name in message:
            return name
    if message.get_content_type() == "multipart/report":
        return "report"
    if _header(message, "Return-Path").strip() == "<>":
        return "empty Return-Path"
    if not from_address or from_address.split("@")[0] in SYSTEM_SENDERS:
        return "system sender"
    return ""


def _reported_ids(message: Message) -> list[str]:
    """The Message-ID of the message a delivery report is about, from the headers it quotes
    (message/rfc822 or text/rfc822-headers)."""
    if message.get_content_type() != "multipart/report":
        return []
    found = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            quoted = part.get_payload()
            quoted = quoted[0] if isinstance(quoted, list) and quoted else quoted
            if isinstance(quoted, Message):
                found.append(normalise_message_id(_header(quoted, "Message-ID")))
        elif kind == "text/rfc822-headers":
            headers = email.message_from_bytes(
                part.get_payload(decode=True) or b"", policy=email.policy.default
            )
            found.append(normalise_message_id(_header(headers, "Message-ID")))
    return [item for item in found if item]


def _body_and_parts(message: EmailMessage) -> tuple[str, str, list[Part]]:
    """The plain text, the HTML and the files of the message. A message that is a single
    file (a fax gateway's PDF without a text) is that file."""
    text_part = _body(message, "plain")
    html_part = _body(message, "html")
    bodies = {id(part) for part in (text_part, html_part) if part is not None}
    parts = [_file(part) for part in _leaves(message) if id(part) not in bodies and _is_file(part)]
    return _content(text_part), _content(html_part), parts


def _body(message: EmailMessage, kind: str):
    try:
        part = message.get_body(preferencelist=(kind,))
    except (KeyError, ValueError):
        return None
    if part is None or part.is_attachment():
        return None
    return part


def _content(part) -> str:
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, ValueError, AssertionError):
        # An unknown or lying charset: the bytes as well as they decode.
        return (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")


def _leaves(message: Message):
    """The message's parts that are no container; an attached message is one part (a file),
    not opened."""
    if message.is_multipart() and message.get_content_maintype() == "multipart":
        for part in message.get_payload():
            yield from _leaves(part)
    else:
        yield message


def _is_file(part: Message) -> bool:
    """A part that is neither the text nor a delivery report's machine-readable status."""
    kind = part.get_content_type()
    if kind in {"message/delivery-status", "message/disposition-notification"}:
        return False
    if kind in {"text/plain", "text/html"} and not part.get_filename():
        return part.get_content_disposition() == "attachment"
    return True


def _file(part: Message) -> Part:
    payload = part.get_payload(decode=True)
    if payload is None:  # message/rfc822: the attached message as it was
        payload = part.as_bytes()
    return Part(
        filename=part.get_filename() or "",
        content_type=part.get_content_type(),
        payload=payload,
    )
