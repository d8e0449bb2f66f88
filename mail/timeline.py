"""The e-mails in a request's and a customer's timeline (registered with requests_app.timeline
in MailConfig.ready()): each e-mail or fax in and out, with its text, its HTML only sanitised
and behind a summary, and its attachments."""

from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _

from mail.access import can_read_mail, can_reply
from mail.models import Mail
from requests_app.models import Channel
from requests_app.timeline import Entry, Scope, Who, not_after, user_name


def mail_entries(http_request: HttpRequest, scope: Scope) -> list[Entry]:
    if not can_read_mail(http_request.user):
        return []
    mails = not_after(Mail.objects.filter(request__in=scope.requests), scope, "created_at")
    template = get_template("mail/mail_entry.html")
    sends_again = can_reply(http_request.user)
    return [
        Entry(
            when=mail.created_at,
            channel=mail.channel,
            kind=_kind(mail),
            **_who(mail),
            body=template.render({"mail": mail, "can_reply": sends_again}, http_request),
            anchor=f"mail-{mail.pk}",
            request_ids=(mail.request_id,),
        )
        for mail in mails.for_list().newest_first()[: scope.limit]
    ]


def _kind(mail: Mail):
    if mail.channel == Channel.FAX:
        return _("Fax received") if mail.incoming else _("Fax sent")
    return _("E-mail received") if mail.incoming else _("E-mail sent")


def _who(mail: Mail) -> dict:
    """The sender: a customer, the agent who wrote a reply, or a machine (an acknowledgement,
    an auto-reply kept)."""
    if mail.sent_by is not None:
        return {"who": user_name(mail.sent_by), "who_is": Who.AGENT}
    who = mail.from_name or mail.from_address
    if mail.automatic:
        return {"who": who, "who_is": Who.SYSTEM}
    return {"who": who, "who_is": Who.CUSTOMER if mail.incoming else Who.AGENT}
