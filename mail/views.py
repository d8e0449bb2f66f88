"""Mail's pages: an attachment's download, and the mailboxes for administrators."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from callcenter.access import require
from callcenter.concurrency import save_or_conflict
from callcenter.pages import render_list
from mail.access import can_keep_mailboxes, can_open_attachment, can_read_mail
from mail.forms import MailboxForm
from mail.models import MailAttachment, Mailbox
from mail.services import mailbox_save


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
