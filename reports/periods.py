"""The date range a report covers, in the configured time zone: whole local days, from the
first day's midnight to the midnight after the last day."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.days import local_midnight
from callcenter.inputs import validate_day

MAX_DAYS = 366 * 3


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """The moment after the period (exclusive)."""
        return local_midnight(self.last_day + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def preset_period(preset: str, today: date) -> Period:
    if preset == "today":
        return Period(today, today)
    if preset == "week":
        return Period(today - timedelta(days=today.weekday()), today)
    if preset == "month":
        return Period(today.replace(day=1), today)
    if preset == "last_month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return Period(last_day.replace(day=1), last_day)
    if preset == "year":
        return Period(today - timedelta(days=364), today)
    return Period(today - timedelta(days=29), today)  # "30_days", the default


PRESETS = [
    ("today", _("Today")),
    ("week", _("This week")),
    ("30_days", _("Last 30 days")),
    ("month", _("This month")),
    ("last_month", _("Last month")),
    ("year", _("Last 12 months")),
    ("custom", _("From – to")),
]


class PeriodForm(forms.Form):
    """Which days a report covers: a preset, or custom first and last days."""

    period = forms.ChoiceField(label=_("Period"), choices=PRESETS, initial="30_days")
    first_day = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],
    )
    last_day = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],
    )

    @classmethod
    def from_query(cls, query):
        """The form for a page's query string; what it leaves out takes the defaults."""
        data = {name: field.initial for name, field in cls.base_fields.items() if field.initial}
        data.update(query.dict())
        # Typed days mean those days, whatever the period menu still says (the page's script
        # sets the menu to "From – to" as they are typed, and clears them for a preset).
        if str(data.get("first_day", "")).strip() or str(data.get("last_day", "")).strip():
            data["period"] = "custom"
        return cls(data)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") != "custom":
            return cleaned
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first is None:
            self.add_error("first_day", _("Give the first day."))
        if last is None:
            self.add_error("last_day", _("Give the last day."))
        if first and last and last < first:
            self.add_error("last_day", _("The last day comes before the first."))
        elif first and last and (last - first).days >= MAX_DAYS:
            self.add_error("last_day", _("A report covers at most three years."))
        return cleaned

    def chosen(self) -> Period:
        """The chosen period; the default (last 30 days) while the form is invalid."""
        today = timezone.localdate()
        if not self.is_valid():
            return preset_period("30_days", today)
        if self.cleaned_data["period"] == "custom":
            return Period(self.cleaned_data["first_day"], self.cleaned_data["last_day"])
        return preset_period(self.cleaned_data["period"], today)
