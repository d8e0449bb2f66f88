"""What every history shares: one row per changed field, with who, when and why, written by
the services that change the thing (requests, work orders)."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from callcenter.display import display_recorded


class FieldChange(models.Model):
    """One field of `subject` changed. A concrete history names its subject's foreign key and
    sets `subject_model`."""

    subject_model: type[models.Model]

    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"

    @property
    def field_label(self) -> str:
        return self.subject_model._meta.get_field(self.field).verbose_name

    @property
    def old_display(self):
        return display_recorded(self.subject_model, self.field, self.old_value)

    @property
    def new_display(self):
        return display_recorded(self.subject_model, self.field, self.new_value)


def record_changes(
    history: type[FieldChange], subject: models.Model, before: dict, user, reason: str = ""
) -> None:
    """A history row for each field whose value differs from `before`; the reason goes with
    the status change."""
    record_changes_of_many(history, [(subject, before)], user, reason)


def record_changes_of_many(
    history: type[FieldChange],
    changes: Iterable[tuple[models.Model, dict]],
    user,
    reason: str = "",
) -> None:
    """record_changes for many subjects at once (a set-based service's), in one insert: for
    each (subject, before), a row per field whose value differs, all at the same moment."""
    now = timezone.now()
    subject_field = None
    rows = []
    for subject, before in changes:
        if subject_field is None:
            subject_field = next(
                field.name
                for field in history._meta.fields
                if field.is_relation and field.related_model is type(subject)
            )
        rows.extend(
            history(
                **{subject_field: subject},
                field=field,
                old_value=as_text(old),
                new_value=as_text(getattr(subject, field)),
                changed_by=user,
                changed_at=now,
                reason=reason.strip() if field == "status" else "",
            )
            for field, old in before.items()
            if getattr(subject, field) != old
        )
    history.objects.bulk_create(rows)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
