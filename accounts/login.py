"""Failed logins: which client address they are counted against, and the log of a lock."""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger("accounts")


def client_address(request: HttpRequest) -> str | None:
    """The address the nearest trusted proxy saw the client come from (X-Forwarded-For, where
    each of TRUSTED_PROXY_COUNT proxies appends the address it was called from), or the
    connection's own address. Entries left of those are the client's to invent, so never used."""
    address = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    logger.warning(
        "Login locked after %s failed attempts: username %r, address %s (for %s)",
        settings.AXES_FAILURE_LIMIT,
        username,
        ip_address,
        settings.AXES_COOLOFF_TIME,
    )
