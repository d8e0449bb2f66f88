"""How many requests an app may post: per API key and per client address, within an hour.

Counted from the reports themselves (WebReport: key, client address, time, indexed), so every
worker process and every restart sees the same count without a shared cache; a refused post
(a bad key, a missing field) saves nothing and so counts nothing."""

import math
from datetime import datetime, timedelta

from django.conf import settings

from open311.models import ApiKey, WebReport

WINDOW = timedelta(hours=1)


def retry_after(*, api_key: ApiKey, client_address: str | None, now: datetime) -> int | None:
    """Seconds until the key and the address may post again, or None if they may now."""
    limits = [({"api_key": api_key}, settings.OPEN311_POSTS_PER_KEY_PER_HOUR)]
    if client_address:
        limits.append(
            ({"client_address": client_address}, settings.OPEN311_POSTS_PER_ADDRESS_PER_HOUR)
        )
    waits = [_wait(condition, limit, now) for condition, limit in limits]
    waits = [wait for wait in waits if wait is not None]
    return max(waits) if waits else None


def _wait(condition: dict, limit: int, now: datetime) -> int | None:
    """When the limit-th newest post in the window leaves it, a post is allowed again."""
    oldest_counted = (
        WebReport.objects.filter(**condition, created_at__gt=now - WINDOW)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[limit - 1 : limit]
    )
    found = list(oldest_counted)
    if not found:
        return None
    return max(1, math.ceil((found[0] + WINDOW - now).total_seconds()))
