"""CSV files people open in Excel: UTF-8 with a byte order mark (so Excel reads the encoding),
semicolons in German and Norwegian (their Excel splits columns on them), and no cell that a
spreadsheet would take for a formula. Every download writes through csv_response."""

import csv
import io
import re
from collections.abc import Iterable
from typing import IO

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def escape_formula(value: str) -> str:
    """Text starting like a formula gets a leading apostrophe, so it stays text."""
    return "'" + value if _FORMULA.match(value) else value


def unescape_formula(value: str) -> str:
    """What escape_formula wrote, read back."""
    return value[1:] if value.startswith("'") and _FORMULA.match(value[1:]) else value


def csv_delimiter() -> str:
    return ";" if get_language() in {"de", "nb"} else ","


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    """A download of `rows` under `header`, as write_csv writes them in the reader's language."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    write_csv(response, header, rows)
    return response


def write_csv(
    stream: IO, header: Iterable, rows: Iterable[Iterable], *, delimiter: str | None = None
) -> int:
    """Write a byte order mark, `header` and `rows` to `stream` (a text stream, or a binary one
    such as an HttpResponse or a file opened "wb", which gets UTF-8); text that looks like a
    formula is escaped, numbers are written as the delimiter's language writes them (a decimal
    comma with semicolons). The delimiter is the current language's unless given. Returns the
    number of rows written."""
    delimiter = delimiter or csv_delimiter()
    out = stream if isinstance(stream, io.TextIOBase) else _Utf8(stream)
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([escape_formula(str(cell)) for cell in header])
    count = 0
    for row in rows:
        writer.writerow(
            [
                escape_formula(cell) if isinstance(cell, str) else _number(cell, delimiter)
                for cell in row
            ]
        )
        count += 1
    return count


class _Utf8:
    def __init__(self, stream: IO):
        self.stream = stream

    def write(self, text: str) -> None:
        self.stream.write(text.encode("utf-8"))


def _number(value, delimiter: str) -> str:
    """Numbers as the language writes them (a decimal comma in German and Norwegian)."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.2f}"
        return text.replace(".", ",") if delimiter == ";" else text
    return str(value)
