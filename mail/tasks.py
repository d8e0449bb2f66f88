"""Background work for e-mail, run by the task worker (`manage.py db_worker`): sending what
the services queued (the acknowledgement of a new request, threaded and marked automatic; an
agent's reply, threaded)."""

from email.headerregistry import Address

from django.core.mail import EmailMessage
from django_tasks import task

from mail.models import Direction, Mail
from mail.services import mail_send_failed, mail_sent


@task()
def send_mail_out(*, mail_id: int) -> str:
    """Send an outgoing Mail as it was stored, once (a task run twice sends nothing more)."""
    mail = (
        Mail.objects.select_related("mailbox").filter(pk=mail_id, direction=Direction.OUT).first()
    )
    if mail is None:
        return "no such e-mail"
    if mail.sent_at is not None:
        return "sent before"
    message = EmailMessage(
        subject=mail.subject,
        body=mail.text,
        from_email=_sender(mail),
        to=mail.to_addresses.split(),
        headers=_headers(mail),
    )
    try:
        message.send()
    except Exception as error:
        # Never lost silently: the e-mail says it failed and why (the agents see it, and may
        # send it again), and the task fails too (its result keeps the traceback).
        mail_send_failed(mail_id=mail.pk, error=f"{type(error).__name__}: {error}")
        raise
    mail_sent(mail_id=mail.pk)
    return "sent"


def _sender(mail: Mail) -> str:
    if not mail.from_name:
        return mail.from_address
    local, _at, domain = mail.from_address.rpartition("@")
    return str(Address(display_name=mail.from_name, username=local, domain=domain))


def _headers(mail: Mail) -> dict[str, str]:
    """Our Message-ID (stored, so that the answer to it finds the request), the thread, for an
    acknowledgement the RFC 3834 mark that tells other systems not to answer it, and the
    language it was written in (the mailbox's)."""
    headers = {"Message-ID": f"<{mail.message_id}>"}
    if mail.in_reply_to:
        headers["In-Reply-To"] = f"<{mail.in_reply_to}>"
    if mail.references:
        headers["References"] = " ".join(f"<{item}>" for item in mail.references.split())
    if mail.automatic:
        headers["Auto-Submitted"] = "auto-replied"
    if mail.mailbox is not None:
        headers["Content-Language"] = mail.mailbox.language
    return headers
