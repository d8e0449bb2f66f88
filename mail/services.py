"""Mail's verbs: take a received e-mail in (mail_receive), note an acknowledgement sent, send an
agent's reply from the request page (mail_reply_send), keep the mailboxes.

A received e-mail becomes part of a request's conversation: a reply joins the request of the
message it answers (its In-Reply-To or References, else the request number in square brackets
in its subject); any other mail from a person becomes a new request, made by the desk's own
services (request_start, request_save: the same customer rule) under the system user "mail",
and is acknowledged once by e-mail. Machines' mail (auto-replies, bounces) never makes a request
and is never answered: kept, as automatic, only when it refers to one of our conversations.
"""

import logging
import re
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.services import user_for_system
from callcenter.concurrency import EditConflict, lock_for_edit
from callcenter.inputs import CONTROL_CHARACTERS, LONG_TEXT
from mail.attachments import checked_parts
from mail.models import SUBJECT_LENGTH, Direction, Mail, MailAttachment, Mailbox
from mail.parsing import MADE_UP_DOMAIN, ParsedMail, parse
from requests_app.models import Channel, CustomerRequest, RequestType, Status
from requests_app.services import request_save, request_start, shared_caller_fields

logger = logging.getLogger("mail")

# The user e-mailed requests are taken by, as an agent takes a call.
SYSTEM_USERNAME = "mail"
SYSTEM_NAME = "E-mail"
# A request number as our subjects carry it: "[CR-2026-000123]".
SUBJECT_NUMBER = re.compile(r"\[(CR-\d{4}-\d{6,})\]")


@transaction.atomic
def mail_receive(*, mailbox: Mailbox, raw: bytes) -> Mail | None:
    """Take one received message in (the IMAP reader calls it for each message it fetches,
    `manage.py receive_mail` for one piped in). Returns the Mail kept (the one kept before, for
    a message seen twice), or None when nothing was kept: an automatic message that refers to
    none of our conversations, or mail from one of our own addresses (a loop).
    Raises mail.parsing.UnreadableMail for bytes that are no e-mail."""
    parsed = parse(raw)
    existing = Mail.objects.filter(message_id=parsed.message_id).first()
    if existing is not None:
        return existing
    if parsed.from_address in our_addresses():
        logger.info("Ignored %s: sent from our own address", parsed.message_id)
        return None
    if parsed.automatic:
        return _automatic_receive(mailbox, parsed)
    return _personal_receive(mailbox, parsed)


def our_addresses() -> set[str]:
    """Every address we send from: mail from them is our own coming back."""
    addresses = {address.lower() for address in Mailbox.objects.values_list("address", flat=True)}
    return addresses | {settings.DEFAULT_FROM_EMAIL.lower(), settings.SERVER_EMAIL.lower()}


def _automatic_receive(mailbox: Mailbox, parsed: ParsedMail) -> Mail | None:
    """An auto-reply or bounce: kept on the request of the message it answers or reports on,
    for the agent to see (the customer is away; our acknowledgement did not arrive), and
    nothing else happens: no reopening, no answer. Referring to nothing of ours, it is
    dropped."""
    request = _answered_request(parsed)
    if request is None:
        logger.info("Dropped %s: automatic (%s)", parsed.message_id, parsed.automatic)
        return None
    mail = _store(mailbox, parsed, channel=Channel.EMAIL, automatic=True)
    if mail is None:
        return Mail.objects.filter(message_id=parsed.message_id).first()
    _attach(mail, request)
    _keep_attachments(mail, parsed)
    return mail


def _personal_receive(mailbox: Mailbox, parsed: ParsedMail) -> Mail | None:
    fax = mailbox.is_fax_sender(parsed.from_address)
    channel = Channel.FAX if fax else Channel.EMAIL
    mail = _store(mailbox, parsed, channel=channel, automatic=False)
    if mail is None:
        return Mail.objects.filter(message_id=parsed.message_id).first()
    request = _answered_request(parsed)
    if request is not None and _still_workable(request):
        _reopen_if_resolved(request)
        _attach(mail, request)
    else:
        request = _request_create(mailbox, mail, closed_before=request)
        _attach(mail, request)
        if not fax:
            _acknowledge(mailbox, mail, request)
    _keep_attachments(mail, parsed)
    return mail


def _store(mailbox: Mailbox, parsed: ParsedMail, *, channel: str, automatic: bool):
    """The received message as a Mail without its request yet, or None when the same
    Message-ID was stored meanwhile (the unique constraint decides between two readers)."""
    try:
        with transaction.atomic():
            return Mail.objects.create(
                mailbox=mailbox,
                direction=Direction.IN,
                message_id=parsed.message_id,
                in_reply_to=parsed.in_reply_to,
                references="\n".join(parsed.references),
                from_address=parsed.from_address,
                from_name=parsed.from_name,
                to_addresses="\n".join(parsed.to_addresses),
                subject=parsed.subject,
                text=parsed.text,
                html=parsed.html,
                channel=channel,
                automatic=automatic,
                received_at=timezone.now(),
                sent_at=parsed.date,
                created_at=timezone.now(),
            )
    except IntegrityError:
        if Mail.objects.filter(message_id=parsed.message_id).exists():
            return None
        raise  # not the same message stored meanwhile: never file a message as ignored


def _attach(mail: Mail, request: CustomerRequest) -> None:
    mail.request = request
    mail.save(update_fields=["request"])


def _answered_request(parsed: ParsedMail) -> CustomerRequest | None:
    """The request of the conversation the message continues: by the Message-IDs it answers
    (ours sent or received before), else by a request number in brackets in its subject.
    Never by the subject's words."""
    referred = parsed.referred_ids()
    if referred:
        found = dict(
            Mail.objects.filter(message_id__in=referred, request__isnull=False).values_list(
                "message_id", "request_id"
            )
        )
        for message_id in referred:
            if message_id in found:
                return CustomerRequest.objects.get(pk=found[message_id])
    for number in SUBJECT_NUMBER.findall(parsed.subject):
        request = CustomerRequest.objects.filter(number=number).first()
        if request is not None:
            return request
    return None


def _still_workable(request: CustomerRequest) -> bool:
    """A closed (or discarded) request stays closed: reopening it is a supervisor's decision
    with a reason. A reply to it starts a new request that names it."""
    return request.status != Status.CLOSED and request.discarded_at is None


def _reopen_if_resolved(request: CustomerRequest) -> None:
    """The customer wrote again about a resolved request: it is open again (the desk's rule
    lets anyone reopen a resolved request), with the reason in its history. If the desk refuses
    (someone is saving it this moment), the e-mail still joins it."""
    if request.status != Status.RESOLVED:
        return
    system = _system_user()
    try:
        with transaction.atomic():
            request_save(
                request=request,
                values={"status": Status.OPEN},
                expected_version=request.version,
                user=system,
                reason=_("The customer replied by e-mail."),
            )
    except (ValidationError, EditConflict) as error:
        logger.warning("Request %s not reopened for a reply: %s", request.number, error)


def _system_user():
    return user_for_system(username=SYSTEM_USERNAME, first_name=SYSTEM_NAME)


def _request_create(
    mailbox: Mailbox, mail: Mail, *, closed_before: CustomerRequest | None
) -> CustomerRequest:
    """A request as the desk saves a call, taken by the system user: channel e-mail or fax, the
    mailbox's request type, the sender as the caller (found or made a customer by the desk's
    rule; a fax gateway is nobody's address), the subject and text as the description."""
    system = _system_user()
    started = request_start(agent=system, channel=mail.channel)
    values = {
        "request_type": _request_type(mailbox),
        "description": description_for(mail, closed_before),
    }
    if mail.channel == Channel.EMAIL:
        values["caller_name"] = mail.from_name
        values["caller_email"] = mail.from_address
    if values["request_type"] == RequestType.COMMENT:
        values["comment"] = values["description"]
    try:
        return _save(started, values, system)
    except ValidationError as error:
        shared = shared_caller_fields(error)
        if not shared:
            raise
        return _save(started, _without_shared_contact(values, shared), system)


def _request_type(mailbox: Mailbox) -> str:
    """The mailbox's request type; an action request (which needs a problem code and a work
    address, refused by Mailbox.clean) only from a mailbox made around that check becomes an
    information request rather than a lost e-mail."""
    if mailbox.request_type == RequestType.ACTION:
        return RequestType.INFORMATION
    return mailbox.request_type


def _save(request: CustomerRequest, values: dict, user) -> CustomerRequest:
    with transaction.atomic():
        return request_save(
            request=request, values=values, expected_version=request.version, user=user
        )


def _without_shared_contact(values: dict, shared: list[str]) -> dict:
    """Several customers have the sender's address: nobody is there to choose, so the request
    is saved without it as the caller's, and says so to the agent."""
    note = _(
        "The sender wrote from %(contact)s, which more than one customer has: choose the caller."
    ) % {"contact": ", ".join(values[field] for field in shared)}
    # First, so that a description cut at its limit keeps it.
    description = _cut("\n\n".join([note, values["description"]]), LONG_TEXT)
    return {**values, **dict.fromkeys(shared, ""), "description": description}


def description_for(mail: Mail, closed_before: CustomerRequest | None = None) -> str:
    """The subject and the text, within the description's length: where the text had to be
    cut, it says so (the whole text stays on the e-mail)."""
    parts = []
    if closed_before is not None:
        parts.append(
            _("A reply to %(number)s, which is closed.") % {"number": closed_before.number}
        )
    parts += [mail.subject, mail.text]
    return _cut("\n\n".join(part for part in parts if part), LONG_TEXT)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    note = "\n\n" + _(
        "[Cut here: the description holds %(limit)s characters; the whole message is in its "
        "e-mail below.]"
    ) % {"limit": limit}
    return text[: limit - len(note)].rstrip() + note


def _keep_attachments(mail: Mail, parsed: ParsedMail) -> None:
    """Store the files within the allowed types and sizes; note the others on the e-mail."""
    kept, refused = checked_parts(parsed.parts)
    for item in kept:
        attachment = MailAttachment(
            mail=mail,
            filename=item.filename,
            content_type=item.content_type,
            size=len(item.payload),
        )
        attachment.file.save(item.filename, ContentFile(item.payload), save=False)
        attachment.save()
    if refused:
        mail.refused_attachments = refused
        mail.save(update_fields=["refused_attachments"])


# Acknowledgements ----------------------------------------------------------------------------


def _acknowledge(mailbox: Mailbox, incoming: Mail, request: CustomerRequest) -> Mail | None:
    """Queue one e-mail to the sender of a new request, with its number in the subject, in
    the mailbox's language, threaded to their message; the task worker sends it. A sender
    acknowledged MAIL_ACKNOWLEDGEMENTS_PER_HOUR times within the last hour gets no more (the
    acknowledgements queued are counted, under the sender's lock)."""
    address = incoming.from_address
    if not address:
        return None
    _lock_sender(address)
    now = timezone.now()
    sent = Mail.objects.acknowledgements_to(address, now - timedelta(hours=1)).count()
    if sent >= settings.MAIL_ACKNOWLEDGEMENTS_PER_HOUR:
        logger.info("No acknowledgement to %s: %s within the hour", address, sent)
        return None
    subject, text = _acknowledgement_text(mailbox, incoming, request)
    in_reply_to, references = _thread_of(incoming)
    outgoing = Mail.objects.create(
        mailbox=mailbox,
        request=request,
        direction=Direction.OUT,
        message_id=make_msgid(domain=mailbox.address.rpartition("@")[2]).strip("<>"),
        in_reply_to=in_reply_to,
        references="\n".join(references),
        from_address=mailbox.address,
        from_name=mailbox.name,
        to_addresses=address,
        subject=subject,
        text=text,
        channel=Channel.EMAIL,
        automatic=True,
        created_at=now,
    )
    # Imported here: the task module imports this one (for mail_sent).
    from mail.tasks import send_mail_out

    # Stored in the same database transaction (django_tasks_db): kept and queued together.
    send_mail_out.enqueue(mail_id=outgoing.pk)
    return outgoing


def _thread_of(incoming: Mail) -> tuple[str, list[str]]:
    """In-Reply-To and References of an answer to `incoming` (RFC 5322 3.6.4): its own
    Message-ID after its references; nothing when its Message-ID was made up here."""
    if incoming.message_id.endswith("@" + MADE_UP_DOMAIN):
        return "", []
    return incoming.message_id, [*incoming.references.split(), incoming.message_id]


def _acknowledgement_text(mailbox: Mailbox, incoming: Mail, request: CustomerRequest):
    context = {"number": request.number, "subject": incoming.subject, "mailbox": mailbox}
    with translation.override(mailbox.language):
        # Plain text (the templates turn autoescape off); the subject on one line.
        subject = " ".join(
            render_to_string("mail/email/acknowledgement_subject.txt", context).split()
        )
        text = render_to_string("mail/email/acknowledgement.txt", context)
    return subject[:998], text


def _lock_sender(address: str) -> None:
    """Hold the sender's lock until the transaction ends (PostgreSQL; SQLite writes one
    transaction at a time anyway): two messages from one sender at once count each other's
    acknowledgement."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [SENDER_LOCKS, address])


# The first key of PostgreSQL's two-key advisory locks: senders of e-mail (requests_app uses
# 5002 for callers, workorders 5001).
SENDER_LOCKS = 5003


def mail_sent(*, mail_id: int) -> bool:
    """The task worker sent the e-mail: note when (once). False when it was noted before."""
    return bool(
        Mail.objects.filter(pk=mail_id, direction=Direction.OUT, sent_at__isnull=True).update(
            sent_at=timezone.now(), failed_at=None, send_error=""
        )
    )


def mail_send_failed(*, mail_id: int, error: str) -> None:
    """The task worker could not hand the e-mail to the SMTP server: say so on the e-mail,
    where the agents see it (the e-mail section), with the server's answer."""
    Mail.objects.filter(pk=mail_id, direction=Direction.OUT, sent_at__isnull=True).update(
        failed_at=timezone.now(), send_error=error[:2000]
    )


@transaction.atomic
def mail_send_again(*, mail: Mail) -> Mail:
    """Queue an outgoing e-mail whose sending failed once more (the "Send again" button)."""
    if mail.direction != Direction.OUT or mail.sent_at is not None:
        raise ValidationError(_("This e-mail was sent already."))
    from mail.tasks import send_mail_out

    send_mail_out.enqueue(mail_id=mail.pk)
    return mail


# Replies from the request page -----------------------------------------------------------------

# What an agent may write in one reply: as long as a request's description.
REPLY_TEXT = LONG_TEXT
# Our subject lines stay readable: far below RFC 5322's 998.
REPLY_SUBJECT = 250


def reply_address(request: CustomerRequest) -> str:
    """Where a reply goes by default: the caller's e-mail, else their customer's, else the
    sender of the last e-mail received on the request."""
    if request.caller_email:
        return request.caller_email
    if request.customer_id and request.customer.email:
        return request.customer.email
    last = _last_received(request)
    return last.from_address if last is not None else ""


def can_reply_by_mail(request: CustomerRequest) -> bool:
    """The request has somewhere to write to: an address, or an e-mail conversation."""
    return bool(reply_address(request)) or request.mails.exists()


def reply_subject(request: CustomerRequest, subject: str | None = None) -> str:
    """`subject`, or (when it is empty) "Re: " and the last received e-mail's subject, carrying
    the request's number in brackets (added at the end when it is missing), on one line."""
    if not (subject or "").strip():
        last = _last_received(request)
        if last is not None and last.subject:
            subject = last.subject
            if not RE_PREFIX.match(subject):
                subject = "Re: " + subject
        else:
            # In the language the customer is written to in: the mailbox's.
            mailbox = _reply_mailbox(request, last)
            with translation.override(mailbox.language if mailbox else settings.LANGUAGE_CODE):
                subject = _("Your request")
    subject = " ".join(subject.split())
    number = f"[{request.number}]"
    if number not in subject:
        subject = f"{subject} {number}".strip()
    return subject


RE_PREFIX = re.compile(r"^\s*(re|aw|sv|antw)\s*:", re.IGNORECASE)


def _last_received(request: CustomerRequest) -> Mail | None:
    """The last e-mail the customer wrote on this request (a person's, not an auto-reply)."""
    return (
        Mail.objects.filter(request=request, direction=Direction.IN, automatic=False)
        .select_related("mailbox")
        .newest_first()
        .first()
    )


def _reply_mailbox(request: CustomerRequest, last: Mail | None) -> Mailbox | None:
    """The mailbox the conversation came in through, else the first active one."""
    if last is not None and last.mailbox is not None and last.mailbox.active:
        return last.mailbox
    return Mailbox.objects.filter(active=True).order_by("address").first()


def _checked_reply(to: str, subject: str, text: str) -> dict:
    errors = {}
    to = (to or "").strip()
    try:
        validate_email(to)
    except ValidationError:
        errors["to"] = _("Enter one e-mail address, such as name@example.org.")
    if len(to) > 254:
        errors["to"] = _("An e-mail address has at most 254 characters.")
    if "\r" in subject or "\n" in subject or CONTROL_CHARACTERS.search(subject):
        errors["subject"] = _("Use letters, digits, spaces and punctuation only.")
    elif len(subject) > REPLY_SUBJECT:
        errors["subject"] = _("At most %(limit)s characters.") % {"limit": REPLY_SUBJECT}
    if not (text or "").strip():
        errors["text"] = _("Write the message.")
    elif len(text) > REPLY_TEXT:
        errors["text"] = _("At most %(limit)s characters.") % {"limit": REPLY_TEXT}
    elif CONTROL_CHARACTERS.search(text):
        errors["text"] = _("The message holds characters that cannot be sent.")
    if errors:
        raise ValidationError(errors)
    # Browsers post CRLF; the e-mail library writes the line ends the transport wants.
    return {"to": to, "subject": subject, "text": text.replace("\r\n", "\n")}


@transaction.atomic
def mail_reply_send(
    *,
    request: CustomerRequest,
    user,
    to: str,
    subject: str,
    text: str,
    mailbox: Mailbox | None = None,
) -> Mail:
    """An agent's e-mail to the customer from the request page: kept on the request as an
    outgoing Mail, threaded to the customer's last e-mail (In-Reply-To, References), with the
    request's number in its subject, from the mailbox the conversation came in through (else
    the first active one, else DEFAULT_FROM_EMAIL), and queued for the task worker, which sends
    it; nothing is sent when the transaction fails. Raises ValidationError naming the field."""
    checked = _checked_reply(to, subject, text)
    last = _last_received(request)
    if mailbox is None:
        mailbox = _reply_mailbox(request, last)
    if mailbox is not None:
        from_address, from_name = mailbox.address, mailbox.name
    else:
        from_address, from_name = settings.DEFAULT_FROM_EMAIL, ""
    in_reply_to, references = _thread_of(last) if last is not None else ("", [])
    now = timezone.now()
    outgoing = Mail.objects.create(
        mailbox=mailbox,
        request=request,
        direction=Direction.OUT,
        message_id=make_msgid(domain=from_address.rpartition("@")[2] or "localhost").strip("<>"),
        in_reply_to=in_reply_to,
        references="\n".join(references),
        from_address=from_address,
        from_name=from_name,
        to_addresses=checked["to"],
        subject=reply_subject(request, checked["subject"])[:SUBJECT_LENGTH],
        text=checked["text"],
        channel=Channel.EMAIL,
        automatic=False,
        sent_by=user,
        created_at=now,
    )
    from mail.tasks import send_mail_out

    # In the same database transaction (django_tasks_db): kept and queued together.
    send_mail_out.enqueue(mail_id=outgoing.pk)
    return outgoing


# Mailboxes -----------------------------------------------------------------------------------

MAILBOX_FIELDS = [
    "address",
    "name",
    "imap_host",
    "imap_port",
    "imap_ssl",
    "imap_user",
    "password_variable",
    "folder",
    "request_type",
    "language",
    "fax_senders",
    "active",
]


@transaction.atomic
def mailbox_save(
    *, values: dict, mailbox: Mailbox | None = None, expected_version: int | None = None
) -> Mailbox:
    """Add a mailbox, or change one unless someone saved it since it was opened (EditConflict).
    Raises ValidationError naming the field."""
    unknown = sorted(set(values) - set(MAILBOX_FIELDS))
    if unknown:
        raise ValueError(f"Not a mailbox field: {', '.join(unknown)}")
    values = {**values}
    if "address" in values:
        values["address"] = values["address"].strip().lower()
    if mailbox is None:
        current = Mailbox(**values)
    else:
        current = lock_for_edit(Mailbox, mailbox.pk, expected_version)
        for name, value in values.items():
            setattr(current, name, value)
        current.version += 1
    current.full_clean()
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError:
        raise ValidationError({"address": _("Another mailbox has this address.")}) from None
    return current
