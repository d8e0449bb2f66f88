"""The residents' verbs: send a report from the web form, and count a wrong status lookup.

A report is made by Open311's own service (open311.services.web_request_create), as an app's
post is: the same customer rule, the same duplicate linking to an open work order, channel Web,
an action request; only without an API key, which marks it as the city's own form's."""

from datetime import datetime

from django.db import transaction

from open311.limits import WINDOW
from open311.models import WebReport
from open311.services import PostedReport, web_request_create
from residents.models import StatusLookupFailure
from residents.tasks import send_report_confirmation


@transaction.atomic
def public_report_create(
    *, report: PostedReport, client_address: str | None, language: str
) -> WebReport:
    """The request, and, for a resident who gave an e-mail address, its confirmation queued for
    the task worker in the same transaction (in `language`, the page's)."""
    web_report = web_request_create(report=report, api_key=None, client_address=client_address)
    if report.email:
        send_report_confirmation.enqueue(
            web_report_id=web_report.pk, email=report.email, language=language
        )
    return web_report


@transaction.atomic
def status_lookup_failed(*, client_address: str | None, now: datetime) -> None:
    """Count a lookup whose number and code do not belong together against its address;
    failures older than the window count no more and go."""
    if not client_address:
        return
    StatusLookupFailure.objects.filter(created_at__lte=now - WINDOW).delete()
    StatusLookupFailure.objects.create(client_address=client_address, created_at=now)
