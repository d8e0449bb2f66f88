"""How often one client address may send the web form and look up a status: Open311's count
of the last hour (open311.limits), over the reports from that address and over its failed
lookups."""

from datetime import datetime

from django.conf import settings

from open311.limits import retry_after, window_wait
from residents.models import StatusLookupFailure


def report_retry_after(*, client_address: str | None, now: datetime) -> int | None:
    """Seconds until the address may send a report again (every report from it counts, from
    the form or an app), or None if it may now."""
    return retry_after(
        api_key=None,
        client_address=client_address,
        now=now,
        per_address=settings.PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR,
    )


def lookup_retry_after(*, client_address: str | None, now: datetime) -> int | None:
    """Seconds until the address may look up a status again after too many wrong guesses."""
    if not client_address:
        return None
    return window_wait(
        StatusLookupFailure.objects.filter(client_address=client_address),
        settings.PUBLIC_STATUS_FAILURES_PER_ADDRESS_PER_HOUR,
        now,
    )
