"""Numbers for humans ("CR-2026-000045", "WO-2026-000045"), taken from the primary key so that a
number is never reused: the service saves the row with a placeholder, then its number, in the
same transaction."""

from datetime import tzinfo
from uuid import uuid4

from django.db import models
from django.utils import timezone


def pending_number() -> str:
    """Unique until the primary key is known, a moment later in the same transaction."""
    return f"new-{uuid4().hex[:16]}"


def number_for(item: models.Model, prefix: str, when) -> str:
    """The saved item's number: the prefix, the local year of `when` and the primary key."""
    return number_of(prefix, item.pk, when)


def number_of(prefix: str, pk: int, when, zone: tzinfo | None = None) -> str:
    """The number of the row with this primary key (the benchmark volume numbers its rows
    before it writes them). `zone`: the current time zone, for a caller that numbers a million
    rows and looks it up once (each lookup is a few microseconds)."""
    return f"{prefix}-{timezone.localtime(when, zone).year}-{pk:06d}"
