"""CSV import and export of the whole service catalogue, so a call center can bring its codes.

The file has one row per problem code, flattened with the names of its department, service
provider and category, and the definition of its standard work order (see COLUMNS).

Path rows. A row whose `code` and code columns are all empty only names a department, a
department and provider, or a full department/provider/category path. It makes sure that path
exists, and its `active` column applies to the deepest level it names; left empty, it keeps the
stored flag (a new level is created active). The export writes a path row for every level that is
empty (so empty levels survive a round-trip) or inactive (so a deactivated level survives one: its
row says active=no). A level named only by code rows keeps its stored flag, or is created active.
On a code row, `active` is the code's own flag, and empty means yes, as `public` empty means no.

Matching. Departments are matched by name, providers by department and name, categories by
provider and name, standard work orders by title, all case-insensitively; problem codes by code
(upper-cased), wherever they sit: a code found under another category is moved there. The file
must spell a name the same way on every row; the spelling in the file replaces the stored one.

Keywords. A code's keywords have a column per language (keywords_en, keywords_de, keywords_nb),
separated by commas. Files written before keywords existed have no such columns and still
import: a keyword column the file leaves out keeps the stored keywords; an empty cell clears them.

What the file leaves out is left alone: the import never deletes or deactivates anything that is
not in it, and it does not carry descriptions, phones or e-mails of departments, providers and
categories, nor the active flag of standard work orders. A standard work order travels with the
codes that use it; a row that names one and leaves its other columns empty only refers to it
(and creates it with defaults if it does not exist yet).

Inactive levels. hierarchy.services.catalogue_refusals decides, for the whole file at once:
nothing can be created, moved or reactivated under a level that is inactive in the database,
unless the file reactivates that level (with a path row saying active=yes); a level the file
itself creates or deactivates may hold codes. Each refusal is reported on the row that asks for
it, with the column of the inactive level.

Safety. Every row is validated before anything is written, and everything is written in one
transaction by hierarchy.services.catalogue_items_upsert, so a file with an error changes
nothing, and only entries that really change are written, with their version counted up as
every edit counts it. Cells that a spreadsheet would run as a formula get a leading apostrophe
on export, and the import removes exactly that apostrophe again.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from callcenter.spreadsheets import unescape_formula, write_csv
from hierarchy.models import (
    KEYWORD_FIELDS,
    CatalogueItem,
    Department,
    Priority,
    ProblemCode,
    ServiceCategory,
    ServiceProvider,
    StandardWorkOrder,
    normalise_keywords,
)
from hierarchy.services import (
    CatalogueCounts,
    Change,
    catalogue_items_upsert,
    catalogue_refusals,
)

COLUMNS = (
    "department",
    "provider",
    "category",
    "code",
    "name",
    "description",
    *KEYWORD_FIELDS.values(),
    "priority",
    "temporary_fix_hours",
    "permanent_fix_days",
    "public",
    "active",
    "standard_work_order",
    "standard_work_order_trade",
    "standard_work_order_instructions",
    "standard_work_order_priority",
    "standard_work_order_effort_hours",
)

_LEVEL_COLUMNS = ("department", "provider", "category")
_LEVEL_MODELS: tuple[type[CatalogueItem], ...] = (Department, ServiceProvider, ServiceCategory)
_SWO_DEFINITION_COLUMNS = COLUMNS[COLUMNS.index("standard_work_order") + 1 :]
# The columns that belong to a problem code: a row with all of them empty is a path row.
_CODE_COLUMNS = tuple(column for column in COLUMNS if column not in (*_LEVEL_COLUMNS, "active"))
# Columns a file may leave out, as files exported before they existed do: the stored values
# are then kept. These are the keywords, which came after the first exports.
OPTIONAL_COLUMNS = tuple(KEYWORD_FIELDS.values())

# A spreadsheet runs a cell starting with one of these as a formula. Leading apostrophes are
# counted too, so that a value that really starts with "'=" survives export and import unchanged.

_YES = {"yes", "true", "1"}
_NO = {"no", "false", "0"}
_PRIORITIES = {p.name.lower(): p.value for p in Priority} | {
    str(p.value): p.value for p in Priority
}


class RowError(NamedTuple):
    """A problem in the file: its line (the header is line 1; None for the whole file)."""

    line: int | None
    message: str


class CatalogueImportError(ValidationError):
    """The file cannot be imported; nothing was changed. `errors` lists every RowError."""

    def __init__(self, errors: Iterable[RowError]):
        self.errors = sorted(errors, key=lambda error: error.line or 0)
        super().__init__([_describe(error) for error in self.errors])


def _describe(error: RowError) -> str:
    if error.line is None:
        return error.message
    return _("Line %(line)s: %(message)s") % {"line": error.line, "message": error.message}


@dataclass
class ImportSummary:
    """How many entries named in the file were created, updated or left as they were."""

    rows: int = 0
    departments: CatalogueCounts = field(default_factory=CatalogueCounts)
    providers: CatalogueCounts = field(default_factory=CatalogueCounts)
    categories: CatalogueCounts = field(default_factory=CatalogueCounts)
    standard_work_orders: CatalogueCounts = field(default_factory=CatalogueCounts)
    problem_codes: CatalogueCounts = field(default_factory=CatalogueCounts)

    @property
    def levels(self) -> tuple[CatalogueCounts, ...]:
        return (
            self.departments,
            self.providers,
            self.categories,
            self.standard_work_orders,
            self.problem_codes,
        )

    @property
    def changed(self) -> bool:
        return any(counts.created or counts.updated for counts in self.levels)

    def message(self) -> str:
        """One sentence for the person who imported the file."""
        return _(
            "Import finished. Entries created: %(created)s, updated: %(updated)s, "
            "unchanged: %(unchanged)s."
        ) % {
            "created": sum(counts.created for counts in self.levels),
            "updated": sum(counts.updated for counts in self.levels),
            "unchanged": sum(counts.unchanged for counts in self.levels),
        }


# Export ------------------------------------------------------------------------------------------


def catalogue_export(stream: IO, *, delimiter: str = ",") -> int:
    """Write the whole catalogue to `stream` as callcenter.spreadsheets.write_csv writes every
    download (the view's is csv_response); return the data rows. The import reads both
    delimiters."""
    return write_csv(stream, COLUMNS, export_rows(), delimiter=delimiter)


def export_rows() -> list[list[str]]:
    """Code rows and path rows, ordered by department, provider, category and code.

    Four queries whatever the size; the sorting happens here so that it is the same on every
    database, whatever its collation.
    """
    departments = {d.pk: d for d in Department.objects.all()}
    providers = {p.pk: p for p in ServiceProvider.objects.all()}
    categories = {c.pk: c for c in ServiceCategory.objects.all()}
    codes = list(ProblemCode.objects.select_related("standard_work_order"))

    keyed: list[tuple[tuple[str, ...], list[str]]] = []
    for level, parent_ids in (
        (departments, {p.department_id for p in providers.values()}),
        (providers, {c.provider_id for c in categories.values()}),
        (categories, {c.category_id for c in codes}),
    ):
        for item in level.values():
            if not item.is_active or item.pk not in parent_ids:
                path = _path(item, departments, providers)
                keyed.append((_sort_key(path), _path_row(path, item.is_active)))
    for code in codes:
        path = _path(categories[code.category_id], departments, providers)
        keyed.append((_sort_key([*path, code.code]), _code_row(path, code)))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _key, row in keyed]


def _path(item: CatalogueItem, departments: dict, providers: dict) -> list[str]:
    if isinstance(item, Department):
        return [item.name]
    if isinstance(item, ServiceProvider):
        return [departments[item.department_id].name, item.name]
    provider = providers[item.provider_id]
    return [departments[provider.department_id].name, provider.name, item.name]


def _sort_key(names: list[str]) -> tuple[str, ...]:
    # Empty trailing names put a level's path row before everything under it.
    return tuple(name.lower() for name in names) + ("",) * (4 - len(names))


def _path_row(path: list[str], active: bool) -> list[str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(zip(_LEVEL_COLUMNS, path, strict=False))
    row["active"] = _yes_no(active)
    return list(row.values())


def _code_row(path: list[str], code: ProblemCode) -> list[str]:
    swo = code.standard_work_order
    row = dict(zip(_LEVEL_COLUMNS, path, strict=True))
    row.update(
        code=code.code,
        name=code.name,
        description=code.description,
        **{field: getattr(code, field) for field in KEYWORD_FIELDS.values()},
        priority=_priority_name(code.priority),
        temporary_fix_hours=_number(code.temporary_fix_hours),
        permanent_fix_days=_number(code.permanent_fix_days),
        public=_yes_no(code.is_public),
        active=_yes_no(code.is_active),
        standard_work_order=swo.title if swo else "",
        standard_work_order_trade=swo.trade if swo else "",
        standard_work_order_instructions=swo.instructions if swo else "",
        standard_work_order_priority=_priority_name(swo.priority) if swo else "",
        standard_work_order_effort_hours=_number(swo.estimated_effort_hours) if swo else "",
    )
    return [row[column] for column in COLUMNS]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _priority_name(value: int) -> str:
    return Priority(value).name.lower()


def _number(value: int | Decimal | None) -> str:
    return "" if value is None else str(value)


# Import: reading the file ------------------------------------------------------------------------


def catalogue_import(file: IO[bytes], *, user: AbstractBaseUser | None) -> ImportSummary:
    """Validate every row of an uploaded CSV file, then apply it all in one transaction.

    Raises CatalogueImportError, with every problem found and nothing changed.
    """
    header_line, header, records = _read_records(file)
    columns = _check_columns(header_line, header)
    _check_row_count(len(records))

    errors: list[RowError] = []
    rows = [row for row in _parse_rows(records, columns, errors) if row is not None]
    plan = _Plan(errors)
    for row in rows:
        plan.add(row)

    with transaction.atomic():
        database = _Database.load()  # locked until the commit
        plan.resolve(database)
        if errors:
            raise CatalogueImportError(errors)
        summary = plan.apply(user)
    summary.rows = len(records)
    return summary


def _read_records(file: IO[bytes]) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header's line and cells, and each non-blank data row with the line it starts on."""
    limit = settings.CATALOGUE_IMPORT_MAX_BYTES
    data = file.read(limit + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > limit:
        raise CatalogueImportError(
            [
                RowError(
                    None, _("The file is larger than %(size)s.") % {"size": filesizeformat(limit)}
                )
            ]
        )
    text = _decode(data)
    _check_characters(text)
    # The header names hold neither separator, so its first line tells which one Excel used.
    first_line = text.partition("\n")[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","

    # strict: a quote left open would otherwise swallow the rest of the file into one cell
    # without a word, and text after a closing quote would be glued to the cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise CatalogueImportError(
            [RowError(start, _csv_problem(error, start, reader.line_num))]
        ) from error
    if not records:
        raise CatalogueImportError([RowError(None, _("The file is empty."))])
    (header_line, header), *data_records = records
    return header_line, header, data_records


def _decode(data: bytes) -> str:
    try:
        # utf-8-sig drops the byte order mark that Excel writes.
        return codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CatalogueImportError(
            [
                RowError(
                    line,
                    _(
                        "The file is not UTF-8 encoded. Save it as UTF-8 CSV: in Excel, choose "
                        "Save As and the file type “CSV UTF-8 (Comma delimited)”."
                    ),
                )
            ]
        ) from error


# No control character but tab and line breaks belongs in a catalogue, and PostgreSQL cannot
# store a NUL at all: a file holding them is most likely not CSV text (a workbook, or "Unicode
# text", which is UTF-16 and has a NUL beside every letter).
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A binary file has them on most lines; the first few lines say enough.
_MAX_LINES_REPORTED = 10


def _check_characters(text: str) -> None:
    errors: list[RowError] = []
    line, counted_to = 1, 0
    for match in _CONTROL_CHARACTER.finditer(text):
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        if errors and errors[-1].line == line:
            continue
        if len(errors) == _MAX_LINES_REPORTED:
            errors.append(
                RowError(
                    None,
                    _("More lines hold control characters; only the first %(count)s are listed.")
                    % {"count": _MAX_LINES_REPORTED},
                )
            )
            break
        errors.append(
            RowError(
                line,
                _(
                    "The line holds a control character (%(character)s), such as a NUL byte, "
                    "which a CSV file cannot hold. Is this a CSV file? Save it from Excel as "
                    "“CSV UTF-8 (Comma delimited)”: workbooks and “Unicode text” cannot be "
                    "imported."
                )
                % {"character": f"U+{ord(match.group()):04X}"},
            )
        )
    if errors:
        raise CatalogueImportError(errors)


def _csv_problem(error: csv.Error, start: int, end: int) -> str:
    """What is wrong with the record that starts on line `start`, in words a person can act on;
    the reader stopped on line `end`. Python's csv module says it in English only."""
    reason = str(error)
    if "unexpected end of data" in reason:
        problem = _(
            'A quote (") opens a cell in this row and is never closed: the file ends inside it.'
        )
    elif "expected after" in reason:
        if end == start:
            problem = _('A quote (") ends a cell, but more text follows it in the same cell.')
        else:
            problem = _(
                'A cell in this row opens with a quote (") and runs on to line %(end)s, where '
                "a quote ends it and more text follows in the same cell."
            ) % {"end": end}
    elif "field larger than field limit" in reason:
        return _("A cell is longer than %(limit)s characters.") % {"limit": csv.field_size_limit()}
    else:
        return _("This is not a readable CSV file: %(error)s") % {"error": error}
    advice = _(
        'A cell that starts with a quote (") must end with one, and a quote inside such a cell '
        'is written twice ("").'
    )
    return f"{problem} {advice}"


def _check_columns(line: int, header: list[str]) -> dict[str, int]:
    """Where each column is; the order may differ, the names must not."""
    names = [cell.strip().lower() for cell in header]
    # Excel may add empty cells at the end of a row.
    while names and not names[-1]:
        names.pop()
    missing = [
        column for column in COLUMNS if column not in names and column not in OPTIONAL_COLUMNS
    ]
    unexpected = [name or _("(empty)") for name in names if name not in COLUMNS]
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    problems = []
    if missing:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unexpected:
        problems.append(_("Unexpected columns: %(columns)s.") % {"columns": ", ".join(unexpected)})
    if repeated:
        problems.append(
            _("Columns that appear twice: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    if problems:
        problems.append(_("The first row must be: %(columns)s") % {"columns": ",".join(COLUMNS)})
        raise CatalogueImportError([RowError(line, " ".join(problems))])
    return {name: names.index(name) for name in COLUMNS if name in names}


def _check_row_count(count: int) -> None:
    limit = settings.CATALOGUE_IMPORT_MAX_ROWS
    if count > limit:
        message = ngettext(
            "The file has %(count)s row; at most %(limit)s rows can be imported at once. "
            "Split it into smaller files.",
            "The file has %(count)s rows; at most %(limit)s rows can be imported at once. "
            "Split it into smaller files.",
            count,
        ) % {"count": count, "limit": limit}
        raise CatalogueImportError([RowError(None, message)])


# Import: one row at a time -----------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    path: list[str]  # department, and provider and category where given
    active: bool | None  # None when the cell was empty
    code: str = ""  # empty on a path row
    values: dict[str, Any] = field(default_factory=dict)  # the problem code's fields
    swo_title: str = ""
    swo_definition: dict[str, Any] | None = None  # None: the row only refers to the title


def _column_error(line: int, column: str, problem: str) -> RowError:
    return RowError(
        line, _("Column “%(column)s”: %(problem)s") % {"column": column, "problem": problem}
    )


def _parse_rows(
    records: list[tuple[int, list[str]]], columns: dict[str, int], errors: list[RowError]
) -> Iterator[_Row | None]:
    width = max(columns.values()) + 1
    for line, cells in records:
        if any(cell.strip() for cell in cells[width:]):
            errors.append(
                RowError(
                    line,
                    _(
                        "The row has more cells than the header has columns "
                        "(%(count)s, not %(expected)s)."
                    )
                    % {"count": len(cells), "expected": width},
                )
            )
            continue
        # Short rows are padded: some tools drop trailing empty cells.
        cells = cells + [""] * (width - len(cells))
        raw = dict.fromkeys(COLUMNS, "")
        raw.update(
            (column, unescape_formula(cells[index].strip())) for column, index in columns.items()
        )
        yield _RowParser(line, raw, errors, absent=set(COLUMNS) - set(columns)).parse()


class _RowParser:
    """Turns one row's cells into checked values, noting each problem with its column."""

    def __init__(self, line: int, raw: dict[str, str], errors: list[RowError], absent: set[str]):
        self.line = line
        self.raw = raw
        self.errors = errors
        self.absent = absent  # optional columns the file leaves out: their values are kept
        self.failed = False

    def error(self, column: str, problem: str) -> None:
        self.errors.append(_column_error(self.line, column, problem))
        self.failed = True

    def parse(self) -> _Row | None:
        path = self.path()
        is_path_row = not any(self.raw[column] for column in _CODE_COLUMNS)
        if is_path_row:
            row = _Row(self.line, path, self.yes_no("active", default=None))
        else:
            row = self.code_row(path)
        return None if self.failed else row

    def path(self) -> list[str]:
        # A code row needs all three levels; a path row needs the levels above the last given.
        needed = 3 if any(self.raw[column] for column in _CODE_COLUMNS) else 1
        for index, column in enumerate(_LEVEL_COLUMNS):
            if self.raw[column]:
                needed = max(needed, index + 1)
        return [
            self.required(model, "name", column)
            for column, model in zip(_LEVEL_COLUMNS[:needed], _LEVEL_MODELS[:needed], strict=True)
        ]

    def code_row(self, path: list[str]) -> _Row:
        code = self.raw["code"].upper()
        if not code:
            self.error("code", _("It is empty, but other columns of a problem code are filled."))
        else:
            self.clean(ProblemCode, "code", "code", code)
        values = {
            "name": self.required(ProblemCode, "name", "name"),
            "description": self.clean(ProblemCode, "description", "description"),
            "priority": self.priority("priority"),
            "temporary_fix_hours": self.clean(
                ProblemCode, "temporary_fix_hours", "temporary_fix_hours"
            ),
            "permanent_fix_days": self.clean(
                ProblemCode, "permanent_fix_days", "permanent_fix_days"
            ),
            "is_public": self.yes_no("public", default=False),
            "is_active": self.yes_no("active", default=True),
        }
        for column in KEYWORD_FIELDS.values():
            if column not in self.absent:
                values[column] = self.clean(
                    ProblemCode, column, column, normalise_keywords(self.raw[column])
                )
        row = _Row(self.line, path, values["is_active"], code=code, values=values)
        row.swo_title, row.swo_definition = self.standard_work_order()
        return row

    def standard_work_order(self) -> tuple[str, dict[str, Any] | None]:
        title = self.raw["standard_work_order"]
        defined = any(self.raw[column] for column in _SWO_DEFINITION_COLUMNS)
        if not title:
            if defined:
                self.error(
                    "standard_work_order",
                    _("It is empty, but the other standard work order columns are filled."),
                )
            return "", None
        title = self.clean(StandardWorkOrder, "title", "standard_work_order")
        if not defined:
            return title, None
        return title, {
            "trade": self.clean(StandardWorkOrder, "trade", "standard_work_order_trade"),
            "instructions": self.clean(
                StandardWorkOrder, "instructions", "standard_work_order_instructions"
            ),
            "priority": self.priority("standard_work_order_priority"),
            "estimated_effort_hours": self.effort("standard_work_order_effort_hours"),
        }

    def required(self, model: type[models.Model], field_name: str, column: str) -> str:
        if not self.raw[column]:
            self.error(column, _("It is empty."))
            return ""
        return self.clean(model, field_name, column)

    def clean(
        self, model: type[models.Model], field_name: str, column: str, raw: str | None = None
    ) -> Any:
        """The value as the model field reads and validates it (max_length, format, range)."""
        model_field = model._meta.get_field(field_name)
        raw = self.raw[column] if raw is None else raw
        try:
            return model_field.clean(None if raw == "" and model_field.null else raw, None)
        except ValidationError as error:
            for message in error.messages:
                self.error(column, message)
            return None

    def priority(self, column: str) -> int:
        raw = self.raw[column]
        if not raw:
            return Priority.NORMAL
        if raw.lower() not in _PRIORITIES:
            self.error(
                column,
                _("“%(value)s” is not a priority. Use urgent, high, normal or low, or 1 to 4.")
                % {"value": raw},
            )
            return Priority.NORMAL
        return _PRIORITIES[raw.lower()]

    def yes_no(self, column: str, *, default: bool | None) -> bool | None:
        raw = self.raw[column].lower()
        if not raw:
            return default
        if raw in _YES:
            return True
        if raw in _NO:
            return False
        self.error(
            column,
            _("“%(value)s” is not allowed here: write yes or no.") % {"value": self.raw[column]},
        )
        return default

    def effort(self, column: str) -> Decimal | None:
        raw = self.raw[column]
        if "," in raw and "." not in raw:
            # A decimal comma, as German and Norwegian spreadsheets write it.
            raw = raw.replace(",", ".")
        value = self.clean(StandardWorkOrder, "estimated_effort_hours", column, raw)
        if value is not None and value < 0:
            self.error(column, _("It cannot be negative."))
        return value


# Import: the whole file against the database -----------------------------------------------------


@dataclass
class _Level:
    """A department, provider or category named in the file, keyed by its lower-cased path."""

    key: tuple[str, ...]
    name: str
    line: int
    active: bool | None = None  # what a path row sets; None: keep the stored flag
    active_line: int | None = None
    item: Any = None  # the stored entry, or the one to create


@dataclass
class _StandardWorkOrderEntry:
    title: str
    line: int
    definition: dict[str, Any] | None = None
    definition_line: int | None = None
    item: Any = None


@dataclass
class _Database:
    """The stored catalogue, keyed the way the file names it, read in five queries.

    The rows stay locked until the transaction ends, so no edit can slip in between reading and
    writing without the version numbers noticing.
    """

    departments: dict[str, Department]
    providers: dict[tuple[int, str], ServiceProvider]
    categories: dict[tuple[int, str], ServiceCategory]
    standard_work_orders: dict[str, StandardWorkOrder]
    problem_codes: dict[str, ProblemCode]

    @classmethod
    def load(cls) -> "_Database":
        departments = {d.pk: d for d in Department.objects.select_for_update()}
        providers = {p.pk: p for p in ServiceProvider.objects.select_for_update()}
        categories = {c.pk: c for c in ServiceCategory.objects.select_for_update()}
        # Each level linked to the one above in memory: the inactive-parent rule walks them.
        for provider in providers.values():
            provider.department = departments[provider.department_id]
        for category in categories.values():
            category.provider = providers[category.provider_id]
        return cls(
            departments={d.name.lower(): d for d in departments.values()},
            providers={(p.department_id, p.name.lower()): p for p in providers.values()},
            categories={(c.provider_id, c.name.lower()): c for c in categories.values()},
            standard_work_orders={
                s.title.lower(): s for s in StandardWorkOrder.objects.select_for_update()
            },
            problem_codes={c.code.upper(): c for c in ProblemCode.objects.select_for_update()},
        )

    def find_level(self, key: tuple[str, ...], parent: CatalogueItem | None) -> Any:
        if len(key) == 1:
            return self.departments.get(key[0])
        if parent is None or parent.pk is None:
            return None
        table = self.providers if len(key) == 2 else self.categories
        return table.get((parent.pk, key[-1]))


def _key(path: list[str]) -> tuple[str, ...]:
    return tuple(name.lower() for name in path)


class _Plan:
    """Gathers the rows, checks them against each other and the database, then writes."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        self.levels: dict[tuple[str, ...], _Level] = {}
        self.standard_work_orders: dict[str, _StandardWorkOrderEntry] = {}
        self.code_lines: dict[str, int] = {}
        self.rows: list[_Row] = []
        self.stored_codes: dict[str, ProblemCode] = {}
        self.changes: list[Change] = []

    # Checks within the file

    def add(self, row: _Row) -> None:
        ok = self.add_path(row)
        if row.code:
            ok = self.add_code(row) and ok
        if row.swo_title:
            ok = self.add_standard_work_order(row) and ok
        if ok:
            self.rows.append(row)

    def add_path(self, row: _Row) -> bool:
        ok = True
        for depth, name in enumerate(row.path, start=1):
            key = _key(row.path[:depth])
            level = self.levels.setdefault(key, _Level(key, name, row.line))
            if level.name != name:
                ok = False
                self.errors.append(
                    _column_error(
                        row.line, _LEVEL_COLUMNS[depth - 1], _spelling(name, level.name, level.line)
                    )
                )
        if not row.code and row.active is not None:
            level = self.levels[_key(row.path)]
            if level.active is None:
                level.active, level.active_line = row.active, row.line
            elif level.active != row.active:
                ok = False
                self.errors.append(
                    _column_error(
                        row.line,
                        "active",
                        _("Line %(line)s gives the opposite value for “%(name)s”.")
                        % {"line": level.active_line, "name": level.name},
                    )
                )
        return ok

    def add_code(self, row: _Row) -> bool:
        first = self.code_lines.setdefault(row.code, row.line)
        if first == row.line:
            return True
        self.errors.append(
            _column_error(
                row.line,
                "code",
                _("%(code)s already appears on line %(line)s.") % {"code": row.code, "line": first},
            )
        )
        return False

    def add_standard_work_order(self, row: _Row) -> bool:
        entry = self.standard_work_orders.setdefault(
            row.swo_title.lower(), _StandardWorkOrderEntry(row.swo_title, row.line)
        )
        if entry.title != row.swo_title:
            self.errors.append(
                _column_error(
                    row.line,
                    "standard_work_order",
                    _spelling(row.swo_title, entry.title, entry.line),
                )
            )
            return False
        if row.swo_definition is None:
            return True
        if entry.definition is None:
            entry.definition, entry.definition_line = row.swo_definition, row.line
            return True
        if entry.definition == row.swo_definition:
            return True
        self.errors.append(
            _column_error(
                row.line,
                "standard_work_order",
                _(
                    "“%(title)s” is defined differently on line %(line)s. Every row naming it "
                    "must give the same trade, instructions, priority and effort, or leave them "
                    "empty."
                )
                % {"title": entry.title, "line": entry.definition_line},
            )
        )
        return False

    # Checks against the database

    def resolve(self, database: _Database) -> None:
        """Find or prepare every entry, and refuse additions under levels left inactive."""
        for key in sorted(self.levels, key=len):
            level = self.levels[key]
            model = _LEVEL_MODELS[len(key) - 1]
            parent = self.levels[key[:-1]].item if model.parent_field else None
            level.item = database.find_level(key, parent)
            if level.item is None:
                level.item = model(name=level.name, is_active=level.active is not False)
                if parent is not None:
                    setattr(level.item, model.parent_field, parent)
        for title, entry in self.standard_work_orders.items():
            entry.item = database.standard_work_orders.get(title) or StandardWorkOrder(
                title=entry.title, **(entry.definition or {})
            )
        self.stored_codes = database.problem_codes
        self.changes, lines = self.collect_changes()
        self.refuse(lines)

    def collect_changes(self) -> tuple[list[Change], dict[int, int]]:
        """What to write, parents first, and the line that asks for each change (by the
        entry's id())."""
        changes: list[Change] = []
        lines: dict[int, int] = {}
        for depth in range(1, len(_LEVEL_COLUMNS) + 1):
            for level in self.levels.values():
                if len(level.key) == depth:
                    changes.append((level.item, self.level_values(level)))
                    # A stored level changes place or state only by a path row's active.
                    stored = level.item.pk is not None
                    lines[id(level.item)] = (level.active_line if stored else None) or level.line
        for entry in self.standard_work_orders.values():
            changes.append((entry.item, self.swo_values(entry)))
        for row in self.rows:
            if row.code:
                item, values = self.code_values(row)
                changes.append((item, values))
                lines[id(item)] = row.line
        return changes, lines

    def refuse(self, lines: dict[int, int]) -> None:
        """Report each change the inactive-parent rule refuses, once per line and level."""
        reported = set()
        for refusal in catalogue_refusals(self.changes):
            line = lines[id(refusal.item)]
            column = _LEVEL_COLUMNS[_LEVEL_MODELS.index(type(refusal.level))]
            if (line, column) in reported:
                continue
            reported.add((line, column))
            self.errors.append(
                _column_error(
                    line,
                    column,
                    _(
                        "“%(name)s” is inactive. Reactivate it in this file (a row naming "
                        "only it, with active=yes) or choose an active one."
                    )
                    % {"name": refusal.level.name},
                )
            )

    # Writing

    def apply(self, user: AbstractBaseUser | None) -> ImportSummary:
        counts = catalogue_items_upsert(changes=self.changes, user=user)
        return ImportSummary(
            departments=counts.get(Department, CatalogueCounts()),
            providers=counts.get(ServiceProvider, CatalogueCounts()),
            categories=counts.get(ServiceCategory, CatalogueCounts()),
            standard_work_orders=counts.get(StandardWorkOrder, CatalogueCounts()),
            problem_codes=counts.get(ProblemCode, CatalogueCounts()),
        )

    def level_values(self, level: _Level) -> dict[str, Any]:
        values: dict[str, Any] = {"name": level.name}
        if level.active is not None:
            values["is_active"] = level.active
        return values

    def swo_values(self, entry: _StandardWorkOrderEntry) -> dict[str, Any]:
        # A title given without a definition only refers to the standard work order.
        return {"title": entry.title, **entry.definition} if entry.definition else {}

    def code_values(self, row: _Row) -> tuple[ProblemCode, dict[str, Any]]:
        category = self.levels[_key(row.path)].item
        swo = self.standard_work_orders[row.swo_title.lower()].item if row.swo_title else None
        item = self.stored_codes.get(row.code) or ProblemCode(code=row.code)
        return item, {**row.values, "category": category, "standard_work_order": swo}


def _spelling(name: str, first_name: str, first_line: int) -> str:
    return _(
        "“%(name)s” is written “%(first)s” on line %(line)s. Write it the same way on every row."
    ) % {"name": name, "first": first_name, "line": first_line}
