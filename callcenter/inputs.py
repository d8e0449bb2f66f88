"""What every form, filter and lookup needs to refuse hostile input instead of failing on it.

Typed values reach the database and the calendar in three ways that can fail with a server error
rather than a field error: ids no row can have (SQLite cannot even compare integers beyond 64
bits), dates the time-zone arithmetic cannot reach (year 1, year 9999), and control characters
PostgreSQL refuses to store or compare (NUL). The helpers here turn each into "absent" or into
an error that names the field.
"""

import re
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

# Dates a call center deals in: anything outside is a typing mistake or an attack.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
# The largest id a bigint column holds.
MAX_ID = 2**63 - 1
# C0 control characters but tab, newline and carriage return, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Texts that people type at length; each limit is shown under its field.
LONG_TEXT = 10_000  # descriptions, notes, comments, answers, instructions, reasons
ADDRESS_TEXT = 1_000
SUMMARY_TEXT = 1_000
ARTICLE_TEXT = 100_000


def parse_id(value) -> int | None:
    """The id a query or form value names, or None for anything no row can have: empty,
    negative, signs, spaces, digits of other scripts ("²", "٣"), or beyond a bigint."""
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        return None
    if len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def without_control_characters(text: str) -> str:
    """Search text as a database can compare it: control characters (NUL above all, which
    PostgreSQL refuses) become spaces."""
    return CONTROL_CHARACTERS.sub(" ", text)


def validate_day(value: date) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError(
            _("Give a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={
                "earliest": formats.date_format(EARLIEST_DAY, "SHORT_DATE_FORMAT"),
                "latest": formats.date_format(LATEST_DAY, "SHORT_DATE_FORMAT"),
            },
        )


def validate_moment(value: datetime) -> None:
    """A date and time whose day the calendar holds in every time zone (read as typed: no
    conversion, which itself fails at the calendar's ends)."""
    validate_day(value.date())


class IdsField(forms.ModelMultipleChoiceField):
    """Several rows chosen by id; an id no row can have is "not a valid value", not a query
    the database fails on."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": without_control_characters(str(pk))},
                )
        return super()._check_values(value)
