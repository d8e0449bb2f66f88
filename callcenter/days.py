"""Local days: times are stored in UTC, days are counted in the configured time zone."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.validators import EMPTY_VALUES
from django.utils import timezone

from callcenter.inputs import validate_day


def local_midnight(day: date) -> datetime:
    """The moment the local day begins (aware), for ranges an index on a timestamp serves."""
    return timezone.make_aware(datetime.combine(day, time.min))


class LocalDayFilter(django_filters.DateFilter):
    """A list's filter by whole local days of a moment's field: from the day's local midnight
    (`last=False`), or up to the next day's (`last=True`), so that the field's index serves the
    range. A date picker, refusing days the database cannot take (validate_day)."""

    def __init__(self, *, last: bool = False, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        kwargs.setdefault("validators", [validate_day])
        super().__init__(**kwargs)
        self.last = last

    def filter(self, queryset, value):
        if value in EMPTY_VALUES:
            return queryset
        if self.last:
            bound = {f"{self.field_name}__lt": local_midnight(value + timedelta(days=1))}
        else:
            bound = {f"{self.field_name}__gte": local_midnight(value)}
        return queryset.filter(**bound)
