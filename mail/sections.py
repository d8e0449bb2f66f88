"""The e-mails shown on a request's and a customer's page (registered with
requests_app.sections in MailConfig.ready()): the conversation, newest first."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from mail.access import can_read_mail
from mail.models import Mail
from requests_app.models import Customer, CustomerRequest

SHOWN = 30


def request_mails(http_request: HttpRequest, customer_request: CustomerRequest) -> str:
    """The request's e-mails, in and out; nothing for a request that has none."""
    return _section(http_request, Mail.objects.filter(request=customer_request), "request")


def customer_mails(http_request: HttpRequest, customer: Customer) -> str:
    """The e-mails of the customer's requests."""
    return _section(http_request, Mail.objects.filter(request__customer=customer), "customer")


def _section(http_request: HttpRequest, mails, of: str) -> str:
    if not can_read_mail(http_request.user):
        return ""
    rows = list(mails.for_list().newest_first()[:SHOWN])
    if not rows:
        return ""
    context = {"mails": rows, "of": of}
    return render_to_string("mail/mail_section.html", context, request=http_request)
