"""A report's table: columns with the kind of figure they hold, raw values in the rows. The
page shows the values formatted for the reader's language; the CSV download keeps numbers as
numbers."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import pgettext

from callcenter.spreadsheets import csv_response

TEXT, COUNT, SECONDS, RATE, DAY = "text", "count", "seconds", "rate", "day"
AVERAGE = "average"  # a mean of answers on a scale, such as the customer effort score


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT

    @property
    def numeric(self) -> bool:
        return self.kind in (COUNT, SECONDS, RATE, AVERAGE)

    @property
    def page_title(self) -> str:
        """The title with the unit the page shows durations in (rates carry their %)."""
        unit = pgettext("unit of durations", "min:s") if self.kind == SECONDS else None
        return f"{self.title} ({unit})" if unit else str(self.title)

    @property
    def csv_title(self) -> str:
        """The title with the unit of the CSV's plain numbers."""
        unit = {SECONDS: pgettext("unit: seconds", "s"), RATE: "%"}.get(self.kind)
        return f"{self.title} ({unit})" if unit else str(self.title)


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    footer: list | None = None
    notes: list[str] = field(default_factory=list)

    def display_rows(self) -> list[list[str]]:
        return [self._display(row) for row in self.rows]

    def display_footer(self) -> list[str] | None:
        return self._display(self.footer) if self.footer else None

    def _display(self, row: list) -> list[tuple[str, bool]]:
        return [
            (display(value, column.kind), column.numeric)
            for value, column in zip(row, self.columns, strict=True)
        ]

    def csv(self, filename: str):
        rows = [
            [csv_value(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]
        if self.footer:
            rows.append(
                [
                    csv_value(value, column.kind)
                    for value, column in zip(self.footer, self.columns, strict=True)
                ]
            )
        return csv_response(filename, [column.csv_title for column in self.columns], rows)


def display(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == COUNT:
        return number_format(value, force_grouping=True)
    if kind == SECONDS:
        seconds = round(value)
        return f"{seconds // 60}:{seconds % 60:02d}"
    if kind == RATE:
        return f"{number_format(value * 100, 1)} %"
    if kind == AVERAGE:
        return number_format(round(value, 2), 2)  # number_format cuts, not rounds
    if kind == DAY and isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def csv_value(value, kind: str):
    """Numbers stay numbers (seconds, percentages), days in ISO form, text as text."""
    if value is None:
        return ""
    if kind == SECONDS:
        return round(float(value), 1)
    if kind == RATE:
        return round(value * 100, 1)
    if kind == AVERAGE:
        return round(value, 2)
    if kind == DAY and isinstance(value, date):
        return value.isoformat()
    if kind == COUNT:
        return int(value)
    return str(value)
