"""Local days: times are stored in UTC, days are counted in the configured time zone."""

from datetime import date, datetime, time

from django.utils import timezone


def local_midnight(day: date) -> datetime:
    """The moment the local day begins (aware), for ranges an index on a timestamp serves."""
    return timezone.make_aware(datetime.combine(day, time.min))
