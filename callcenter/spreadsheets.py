"""CSV files people open in Excel: UTF-8 with a byte order mark (so Excel reads the encoding),
semicolons in German and Norwegian (their Excel splits columns on them), and no cell that a
spreadsheet would take for a formula."""

import csv
import re
from collections.abc import Iterable

from django.http import HttpResponse
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=csv_delimiter())
    writer.writerow([escape_formula(str(cell)) for cell in header])
    for row in rows:
        writer.writerow(
            [escape_formula(cell) if isinstance(cell, str) else _number(cell) for cell in row]
        )
    return response


def _number(value) -> str:
    """Numbers as the language writes them (a decimal comma in German and Norwegian)."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.2f}"
        return text.replace(".", ",") if csv_delimiter() == ";" else text
    return str(value)
