"""Numbers for humans ("CR-2026-000045", "WO-2026-000045"), taken from the primary key so that a
number is never reused: the row is saved with a placeholder, then numbered in the same
transaction."""

from uuid import uuid4

from django.db import models
from django.utils import timezone


def pending_number() -> str:
    """Unique until the primary key is known, a moment later in the same transaction."""
    return f"new-{uuid4().hex[:16]}"


def give_number(item: models.Model, prefix: str, when) -> None:
    item.number = f"{prefix}-{timezone.localtime(when).year}-{item.pk:06d}"
    item.save(update_fields=["number"])
