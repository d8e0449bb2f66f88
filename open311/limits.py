"""How many requests an app may post: per API key and per client address, within an hour.

Counted from the reports themselves (WebReport: key, client address, time, indexed), so every
worker process and every restart sees the same count without a shared cache; a refused post
(a bad key, a missing field) saves nothing and so counts nothing. The city's own web form
(public) posts without a key: its reports count against their client address alone."""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from open311.models import ApiKey, WebReport

WINDOW = timedelta(hours=1)


def retry_after(
    *,
    api_key: ApiKey | None,
    client_address: str | None,
    now: datetime,
    per_address: int | None = None,
) -> int | None:
    """Seconds until the key and the address may post again, or None if they may now.
    `per_address` replaces the setting's limit for the address (the web form has its own)."""
    limits = []
    if api_key is not None:
        limits.append(
            (WebReport.objects.filter(api_key=api_key), settings.OPEN311_POSTS_PER_KEY_PER_HOUR)
        )
    if client_address:
        if per_address is None:
            per_address = settings.OPEN311_POSTS_PER_ADDRESS_PER_HOUR
        limits.append((WebReport.objects.filter(client_address=client_address), per_address))
    waits = [window_wait(rows, limit, now) for rows, limit in limits]
    waits = [wait for wait in waits if wait is not None]
    return max(waits) if waits else None


def window_wait(rows: QuerySet, limit: int, now: datetime) -> int | None:
    """Seconds until fewer than `limit` of `rows` (by their created_at) fall within the last
    hour, or None if fewer do now: when the limit-th newest leaves the window."""
    oldest_counted = (
        rows.filter(created_at__gt=now - WINDOW)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[limit - 1 : limit]
    )
    found = list(oldest_counted)
    if not found:
        return None
    return max(1, math.ceil((found[0] + WINDOW - now).total_seconds()))
