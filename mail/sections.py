"""The box to reply by e-mail on a request's page (registered with requests_app.sections in
MailConfig.ready()). The e-mails themselves are entries of the timeline (mail.timeline)."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from mail.access import can_reply
from mail.articles import article_text, reply_articles
from mail.forms import ReplyForm
from mail.services import can_reply_by_mail, reply_address, reply_subject
from requests_app.models import CustomerRequest


def request_reply(http_request: HttpRequest, customer_request: CustomerRequest) -> str:
    """The "Reply by e-mail" box, for those who may edit the request, on a request with an
    address to write to or an e-mail conversation. After an Insert or a refused send, the
    view hands the posted form over on the HTTP request (`mail_reply_form`)."""
    if not can_reply(http_request.user) or not can_reply_by_mail(customer_request):
        return ""
    articles = reply_articles(http_request.user, customer_request)
    form = getattr(http_request, "mail_reply_form", None)
    if form is None:
        form = ReplyForm(
            initial={
                "to": reply_address(customer_request),
                "subject": reply_subject(customer_request),
            },
            articles=articles,
        )
    context = {
        "form": form,
        "customer_request": customer_request,
        "articles": [(article, article_text(article)) for article in form.articles.values()],
    }
    return render_to_string("mail/reply_box.html", context, request=http_request)
