"""The links residents are given: the status page of a request (its number and its report's
token), and the confirmation page after the form (a signed, short-lived pointer to the report,
so that the page can be reloaded without sending the form again and without a session)."""

from datetime import timedelta

from django.core import signing
from django.urls import reverse

SENT_SALT = "residents.report-sent"
SENT_MAX_AGE = timedelta(days=1)


def status_url(number: str, token: str) -> str:
    return reverse("residents:status", args=[number, token])


def sent_token(web_report_id: int) -> str:
    return signing.dumps(web_report_id, salt=SENT_SALT)


def web_report_id_from(token: str) -> int | None:
    """The report a confirmation link names, or None when it was changed or is over a day old."""
    try:
        value = signing.loads(token, salt=SENT_SALT, max_age=SENT_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
