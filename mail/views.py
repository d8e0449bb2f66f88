from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from callcenter.access import require
from mail.access import can_open_attachment, can_read_mail
from mail.models import MailAttachment


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
