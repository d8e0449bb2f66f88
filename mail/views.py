"""Mail's pages: an attachment's download, an agent's reply from the request page, and the
mailboxes for administrators."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from callcenter.access import require
from callcenter.concurrency import save_or_conflict
from callcenter.pages import render_list
from mail.access import can_keep_mailboxes, can_open_attachment, can_read_mail, can_reply
from mail.articles import article_text, reply_articles
from mail.forms import MailboxForm, ReplyForm
from mail.models import Direction, Mail, MailAttachment, Mailbox
from mail.services import can_reply_by_mail, mail_reply_send, mail_send_again, mailbox_save
from requests_app.forms import RequestForm
from requests_app.models import CustomerRequest
from requests_app.views import may_reopen, request_page


@require(can_read_mail)
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A file that came with an e-mail, always as a download under the sender's file name with
    the type it was kept as: a browser never renders what a stranger sent inside our pages."""
    item = get_object_or_404(MailAttachment.objects.select_related("mail"), pk=pk)
    if not can_open_attachment(request.user, item):
        raise Http404(_("No such attachment."))
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This attachment's file is missing.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=item.filename, content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


@require(can_keep_mailboxes)
def mailbox_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, "mail/mailbox_list.html", Mailbox.objects.order_by("address"))


@require(can_keep_mailboxes)
def mailbox_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk) if pk is not None else None
    form = MailboxForm(request.POST if request.method == "POST" else None, instance=mailbox)
    differences: list[dict] = []
    if request.method == "POST" and form.is_valid():
        attempt = save_or_conflict(
            form,
            lambda: mailbox_save(
                values=form.values(),
                mailbox=mailbox,
                expected_version=form.cleaned_data["version"],
            ),
            _("Someone saved this mailbox meanwhile: check their values, then save again."),
        )
        if attempt.saved is not None:
            messages.success(
                request, _("The mailbox %(address)s was saved.") % {"address": attempt.saved}
            )
            return redirect("mail:mailbox_list")
        form, differences = attempt.form, attempt.differences
    context = {"form": form, "mailbox": mailbox, "differences": differences}
    return render(request, "mail/mailbox_form.html", context)


@require_POST
@require(can_reply)
def request_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Reply by e-mail" box posts here. Send: queued, then back to the request page with a
    confirmation; refused, the request page again with the errors and all that was typed.
    Insert (the button that works without JavaScript): the request page again with the chosen
    article's text appended to the message, nothing sent and nothing checked yet."""
    customer_request = get_object_or_404(
        CustomerRequest.objects.select_related("customer", "agent", "problem_code"), pk=pk
    )
    if not can_reply_by_mail(customer_request):
        raise Http404(_("This request has no e-mail address to reply to."))
    articles = reply_articles(request.user, customer_request)
    if request.POST.get("action") == "insert":
        data = request.POST.copy()
        chosen = ReplyForm(data, articles=articles).chosen_article()
        if chosen is not None:
            typed = data.get("text", "").rstrip()
            data["text"] = "\n\n".join(part for part in (typed, article_text(chosen)) if part)
        data["article"] = ""
        form = ReplyForm(data, articles=articles)
        form._errors = ErrorDict()  # nothing is being sent: no error to show yet
        return _page_with_reply(request, customer_request, form)
    form = ReplyForm(request.POST, articles=articles)
    if form.is_valid():
        try:
            mail_reply_send(
                request=customer_request,
                user=request.user,
                to=form.cleaned_data["to"],
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your e-mail to %(address)s is queued: it goes out in a moment.")
                % {"address": form.cleaned_data["to"]},
            )
            return redirect(customer_request)
    return _page_with_reply(request, customer_request, form)


def _page_with_reply(request: HttpRequest, customer_request: CustomerRequest, form: ReplyForm):
    """The request page (its form as saved) with the reply box showing `form`."""
    request.mail_reply_form = form
    request_form = RequestForm(
        instance=customer_request, may_reopen=may_reopen(request.user, customer_request)
    )
    return request_page(request, customer_request, request_form)


@require_POST
@require(can_reply)
def mail_send_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue again an e-mail whose sending failed (the button beside its error)."""
    mail = get_object_or_404(
        Mail.objects.select_related("request"),
        pk=pk,
        direction=Direction.OUT,
        request__isnull=False,
    )
    try:
        mail_send_again(mail=mail)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The e-mail is queued again."))
    return redirect(mail.request)
