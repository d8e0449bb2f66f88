"""What residents reach without logging in: the web form (a report is a desk request with an
Open311 WebReport beside it, made by open311's own service) and the status page.

The one thing this app keeps of its own is a count against guessing: each status lookup with a
wrong number or code, by client address, for an hour (residents.limits). Kept in the database, as
Open311's reports are, so that every worker process agrees without a shared cache."""

from django.db import models


class StatusLookupFailure(models.Model):
    """A status page asked for with a number and code that do not belong together."""

    client_address = models.GenericIPAddressField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["client_address", "created_at"], name="residents_lookup_recent"),
            models.Index(fields=["created_at"], name="residents_lookup_created"),
        ]

    def __str__(self) -> str:
        return f"{self.client_address} {self.created_at:%Y-%m-%d %H:%M}"
