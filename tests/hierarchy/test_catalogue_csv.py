import csv
import io
from decimal import Decimal

import pytest

from demo.catalogue import CATALOGUE as DEMO_CATALOGUE
from hierarchy.catalogue_csv import (
    COLUMNS,
    CatalogueImportError,
    catalogue_export,
    catalogue_import,
)
from hierarchy.models import (
    Department,
    Priority,
    ProblemCode,
    ServiceCategory,
    ServiceProvider,
    StandardWorkOrder,
)
from tests.factories import (
    DepartmentFactory,
    ProblemCodeFactory,
    ServiceCategoryFactory,
    ServiceProviderFactory,
)

CATALOGUE_MODELS = (Department, ServiceProvider, ServiceCategory, StandardWorkOrder, ProblemCode)
APPL_PATH = {
    "department": "Environmental Services",
    "provider": "Solid Waste",
    "category": "Household garbage collection",
}


def csv_file(
    rows: list[dict[str, str]],
    *,
    header: tuple[str, ...] | list[str] = COLUMNS,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode(encoding))


def code_row(**values: str) -> dict[str, str]:
    """A problem code row under the catalogue fixture's Household garbage collection."""
    return {**APPL_PATH, "code": "NEW", "name": "New problem", "priority": "normal", **values}


def exported() -> bytes:
    stream = io.BytesIO()
    catalogue_export(stream)
    return stream.getvalue()


def exported_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(exported().decode("utf-8-sig"))))


def snapshot() -> dict[str, list[dict]]:
    """Every stored field of the catalogue, versions and timestamps included."""
    return {
        model.__name__: list(model.objects.order_by("pk").values()) for model in CATALOGUE_MODELS
    }


def import_errors(file: io.BytesIO, user) -> list[tuple[int | None, str]]:
    with pytest.raises(CatalogueImportError) as raised:
        catalogue_import(file, user=user)
    return raised.value.errors


# Export


def test_it_exports_a_bom_the_header_and_one_row_per_code(catalogue):
    ProblemCode.objects.filter(code="APPL").update(
        keywords_en="fridge, freezer", keywords_de="Kühlschrank", keywords_nb="kjøleskap"
    )
    data = exported()

    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header == ",".join(COLUMNS)
    appl = next(row for row in exported_rows() if row["code"] == "APPL")
    assert appl == {
        **APPL_PATH,
        "code": "APPL",
        "name": "Appliance pickup",
        "description": "",
        "keywords_en": "fridge, freezer",
        "keywords_de": "Kühlschrank",
        "keywords_nb": "kjøleskap",
        "priority": "normal",
        "temporary_fix_hours": "",
        "permanent_fix_days": "10",
        "public": "no",
        "active": "yes",
        "standard_work_order": "Collect household appliance",
        "standard_work_order_trade": "Sanitation",
        "standard_work_order_instructions": "",
        "standard_work_order_priority": "normal",
        "standard_work_order_effort_hours": "",
    }


def test_it_exports_in_four_queries_however_many_codes(catalogue, django_assert_num_queries):
    for _ in range(3):
        ProblemCodeFactory(category=ServiceCategoryFactory())

    with django_assert_num_queries(4):
        rows = exported_rows()

    assert len(rows) == 5


def test_it_writes_semicolons_to_a_text_stream_that_import_reads_back(catalogue, administrator):
    text = io.StringIO()

    assert catalogue_export(text, delimiter=";") == 2

    assert text.getvalue().startswith("\ufeffdepartment;provider;category;code;")
    before = snapshot()
    catalogue_import(io.BytesIO(text.getvalue().encode("utf-8")), user=administrator)
    assert snapshot() == before


def test_it_orders_rows_by_department_provider_category_and_code(catalogue):
    water = DepartmentFactory(name="water")
    ProblemCodeFactory(
        category=ServiceCategoryFactory(provider=ServiceProviderFactory(department=water)),
        code="AAA",
    )

    rows = exported_rows()

    assert [(row["department"], row["code"]) for row in rows] == [
        ("Environmental Services", "APPL"),
        ("Environmental Services", "MISS"),
        ("water", "AAA"),
    ]


def test_it_exports_empty_and_inactive_levels_as_path_rows(catalogue):
    catalogue["provider"].is_active = False
    catalogue["provider"].save()
    ServiceCategoryFactory(provider=catalogue["provider"], name="Garden waste")
    DepartmentFactory(name="Libraries")

    rows = [row for row in exported_rows() if not row["code"]]

    assert [
        (row["department"], row["provider"], row["category"], row["active"]) for row in rows
    ] == [
        ("Environmental Services", "Solid Waste", "", "no"),
        ("Environmental Services", "Solid Waste", "Garden waste", "yes"),
        ("Libraries", "", "", "yes"),
    ]


def test_it_escapes_formula_cells_on_export_and_restores_them_on_import(catalogue, administrator):
    appl = catalogue["appl"]
    appl.description = '=HYPERLINK("http://evil.example","click")'
    appl.name = "-1 bins"
    appl.save()

    appl_row = next(row for row in exported_rows() if row["code"] == "APPL")
    assert appl_row["description"] == '\'=HYPERLINK("http://evil.example","click")'
    assert appl_row["name"] == "'-1 bins"

    before = snapshot()
    catalogue_import(io.BytesIO(exported()), user=administrator)

    appl.refresh_from_db()
    assert appl.description == '=HYPERLINK("http://evil.example","click")'
    assert appl.name == "-1 bins"
    assert snapshot() == before


def test_it_keeps_an_apostrophe_that_was_really_there(catalogue, administrator):
    appl = catalogue["appl"]
    appl.description = "'=not a formula, but it starts with an apostrophe"
    appl.save()

    before = snapshot()
    catalogue_import(io.BytesIO(exported()), user=administrator)

    appl.refresh_from_db()
    assert appl.description == "'=not a formula, but it starts with an apostrophe"
    assert snapshot() == before


# Round-trips


def test_it_changes_nothing_when_importing_its_own_export(catalogue, administrator):
    swo = catalogue["standard_work_order"]
    swo.instructions = "Two people.\r\nTake the fridge to the recycling centre."
    swo.estimated_effort_hours = Decimal("1.50")
    swo.save()
    catalogue["missed"].is_active = False
    catalogue["missed"].save()
    old_department = DepartmentFactory(name="Old department", is_active=False)
    ProblemCodeFactory(
        category=ServiceCategoryFactory(provider=ServiceProviderFactory(department=old_department)),
        code="OLD",
    )
    ServiceCategoryFactory(provider=catalogue["provider"], name="Empty category")
    before = snapshot()

    summary = catalogue_import(io.BytesIO(exported()), user=administrator)

    assert snapshot() == before
    assert not summary.changed
    assert summary.problem_codes.unchanged == 3
    assert summary.departments.unchanged == 2
    assert summary.categories.unchanged == 3


def test_it_recreates_an_exported_catalogue_in_an_empty_database(catalogue, administrator):
    catalogue["department"].is_active = False
    catalogue["department"].save()
    ServiceCategoryFactory(provider=catalogue["provider"], name="Empty category")
    data = exported()
    ProblemCode.objects.all().delete()
    ServiceCategory.objects.all().delete()
    ServiceProvider.objects.all().delete()
    Department.objects.all().delete()
    StandardWorkOrder.objects.all().delete()

    catalogue_import(io.BytesIO(data), user=administrator)

    assert exported() == data
    assert not Department.objects.get(name="Environmental Services").is_active


def test_it_imports_the_demo_catalogue_into_an_empty_database(administrator):
    with DEMO_CATALOGUE.open("rb") as file:
        summary = catalogue_import(file, user=administrator)

    assert 40 <= ProblemCode.objects.count() == summary.problem_codes.created
    assert Department.objects.count() >= 4
    assert 15 <= StandardWorkOrder.objects.count() <= 20
    appl = ProblemCode.objects.with_path().get(code="APPL")
    assert appl.name == "Appliance pickup"
    assert [str(level) for level in appl.ancestors()] == [
        "Environmental Services",
        "Solid Waste",
        "Household garbage collection",
    ]
    assert appl.standard_work_order.title == "Collect household appliance"
    assert appl.updated_by == administrator
    assert appl.version == 1
    assert ProblemCode.objects.filter(is_public=True).exists()
    assert ProblemCode.objects.get(code="WMB").priority == Priority.URGENT


def test_it_changes_nothing_when_importing_the_same_file_twice(administrator):
    with DEMO_CATALOGUE.open("rb") as file:
        catalogue_import(file, user=administrator)
    before = snapshot()

    with DEMO_CATALOGUE.open("rb") as file:
        summary = catalogue_import(file, user=administrator)

    assert snapshot() == before
    assert not summary.changed
    assert summary.problem_codes.unchanged == ProblemCode.objects.count()


def test_it_merges_the_demo_catalogue_into_the_fixture(catalogue, administrator):
    with DEMO_CATALOGUE.open("rb") as file:
        summary = catalogue_import(file, user=administrator)

    assert Department.objects.filter(name__iexact="Environmental Services").count() == 1
    assert (
        StandardWorkOrder.objects.filter(title__iexact="Collect household appliance").count() == 1
    )
    assert summary.departments.unchanged == 1
    assert summary.problem_codes.created == ProblemCode.objects.count() - 2


# Reading the file


def test_it_reads_a_semicolon_delimited_file_with_decimal_commas(catalogue, administrator):
    file = csv_file(
        [
            code_row(
                code="SEMI",
                name="Lid broken; needs replacing",
                standard_work_order="Replace lid",
                standard_work_order_priority="low",
                standard_work_order_effort_hours="0,5",
            )
        ],
        delimiter=";",
    )

    catalogue_import(file, user=administrator)

    code = ProblemCode.objects.get(code="SEMI")
    assert code.name == "Lid broken; needs replacing"
    assert code.category == catalogue["category"]
    assert code.standard_work_order.estimated_effort_hours == Decimal("0.5")


def test_it_reads_a_file_with_a_bom(catalogue, administrator):
    catalogue_import(csv_file([code_row(name="Grüne Tonne")], bom=True), user=administrator)

    assert ProblemCode.objects.get(code="NEW").name == "Grüne Tonne"


def test_it_accepts_numbers_and_mixed_case_for_priorities_and_yes_no(catalogue, administrator):
    file = csv_file([code_row(code="new-1", priority="1", public="TRUE", active="0")])

    catalogue_import(file, user=administrator)

    code = ProblemCode.objects.get(code="NEW-1")
    assert (code.priority, code.is_public, code.is_active) == (Priority.URGENT, True, False)


def test_it_keeps_descriptions_that_span_several_lines(catalogue, administrator):
    file = csv_file([code_row(description="First line,\nsecond line")])

    catalogue_import(file, user=administrator)

    assert ProblemCode.objects.get(code="NEW").description == "First line,\nsecond line"


# Writing


def test_it_updates_a_code_that_exists_under_another_name_and_category(catalogue, administrator):
    file = csv_file(
        [
            code_row(
                category="Bulky items",
                code="appl",
                name="Large appliance pickup",
                priority="high",
                standard_work_order="Collect household appliance",
            )
        ]
    )

    summary = catalogue_import(file, user=administrator)

    appl = ProblemCode.objects.get(pk=catalogue["appl"].pk)
    assert appl.name == "Large appliance pickup"
    assert appl.category.name == "Bulky items"
    assert appl.category.provider == catalogue["provider"]
    assert appl.priority == Priority.HIGH
    assert appl.permanent_fix_days is None
    assert (appl.version, appl.updated_by) == (2, administrator)
    assert ProblemCode.objects.count() == 2
    assert (summary.problem_codes.updated, summary.categories.created) == (1, 1)
    # Named by title only, the standard work order is referred to, not redefined.
    swo = StandardWorkOrder.objects.get()
    assert (swo.trade, swo.version) == ("Sanitation", 1)


def test_it_leaves_unchanged_entries_untouched(catalogue, administrator):
    rows = exported_rows()
    next(row for row in rows if row["code"] == "MISS")["name"] = "Missed bin collection"
    before = {
        model.__name__: {item.pk: (item.version, item.updated_at) for item in model.objects.all()}
        for model in CATALOGUE_MODELS
    }

    summary = catalogue_import(csv_file(rows), user=administrator)

    missed = ProblemCode.objects.get(code="MISS")
    appl = ProblemCode.objects.get(code="APPL")
    assert (missed.name, missed.version, missed.updated_by) == (
        "Missed bin collection",
        2,
        administrator,
    )
    assert (appl.version, appl.updated_at) == before["ProblemCode"][appl.pk]
    assert (summary.problem_codes.updated, summary.problem_codes.unchanged) == (1, 1)
    department = catalogue["department"]
    department.refresh_from_db()
    assert (department.version, department.updated_at) == before["Department"][department.pk]


def test_it_reactivates_a_level_and_places_a_code_under_it(catalogue, administrator):
    catalogue["department"].is_active = False
    catalogue["department"].save()
    file = csv_file([{"department": "Environmental Services", "active": "yes"}, code_row()])

    catalogue_import(file, user=administrator)

    department = Department.objects.get(pk=catalogue["department"].pk)
    assert department.is_active
    assert department.version == 2
    assert ProblemCode.objects.get(code="NEW").category == catalogue["category"]


def test_it_imports_hundreds_of_rows_in_a_constant_number_of_queries(
    administrator, django_assert_max_num_queries
):
    rows = [
        {
            "department": f"Department {n % 3}",
            "provider": f"Provider {n % 7}",
            "category": f"Category {n % 11}",
            "code": f"C{n}",
            "name": f"Problem {n}",
            "standard_work_order": f"Work order {n % 5}",
            "standard_work_order_trade": "General",
        }
        for n in range(600)
    ]

    with django_assert_max_num_queries(25):
        summary = catalogue_import(csv_file(rows), user=administrator)

    assert summary.problem_codes.created == ProblemCode.objects.count() == 600
    assert summary.categories.created == ServiceCategory.objects.count()


# Refusing a file: every error with its line, and nothing changed


@pytest.fixture
def unchanged(catalogue):
    """After the test: the catalogue is exactly as it was, and APPL still reads the same."""
    before = snapshot()
    yield
    assert snapshot() == before
    appl = ProblemCode.objects.get(code="APPL")
    assert (appl.name, appl.category, appl.version) == (
        "Appliance pickup",
        catalogue["category"],
        1,
    )
    assert ProblemCode.objects.count() == 2


def test_it_refuses_a_code_twice_in_the_file(unchanged, administrator):
    file = csv_file(
        [code_row(code="APPL", name="Renamed"), code_row(code="DUP"), code_row(code="dup")]
    )

    assert import_errors(file, administrator) == [
        (4, "Column “code”: DUP already appears on line 3.")
    ]


def test_it_refuses_an_empty_name(unchanged, administrator):
    file = csv_file([code_row(code="APPL", name="Renamed"), code_row(name="")])

    assert import_errors(file, administrator) == [(3, "Column “name”: It is empty.")]


def test_it_refuses_an_empty_department(unchanged, administrator):
    file = csv_file([code_row(department="")])

    assert import_errors(file, administrator) == [(2, "Column “department”: It is empty.")]


def test_it_refuses_a_bad_priority(unchanged, administrator):
    file = csv_file([code_row(code="APPL", name="Renamed"), code_row(priority="sometimes")])

    [(line, message)] = import_errors(file, administrator)

    assert line == 3
    assert message.startswith("Column “priority”: “sometimes” is not a priority.")


def test_it_refuses_negative_and_fractional_turnarounds(unchanged, administrator):
    file = csv_file([code_row(temporary_fix_hours="-4", permanent_fix_days="1.5")])

    errors = import_errors(file, administrator)

    assert [(line, message.split(":")[0]) for line, message in errors] == [
        (2, "Column “temporary_fix_hours”"),
        (2, "Column “permanent_fix_days”"),
    ]
    assert "greater than or equal to 0" in errors[0][1]
    assert "must be an integer" in errors[1][1]


def test_it_refuses_a_bad_code_a_long_name_and_an_unknown_yes_no(unchanged, administrator):
    file = csv_file(
        [
            code_row(code="NEW CODE"),
            code_row(code="LONG", name="x" * 121),
            code_row(code="P", public="maybe"),
        ]
    )

    errors = import_errors(file, administrator)

    assert [(line, message.split(":")[0]) for line, message in errors] == [
        (2, "Column “code”"),
        (3, "Column “name”"),
        (4, "Column “public”"),
    ]
    assert "at most 120 characters" in errors[1][1]
    assert "“maybe” is not allowed here: write yes or no" in errors[2][1]


def test_it_counts_lines_of_cells_that_span_several_lines(unchanged, administrator):
    file = csv_file([code_row(code="A", description="one\ntwo\nthree"), code_row(code="A")])

    assert import_errors(file, administrator) == [
        (5, "Column “code”: A already appears on line 2.")
    ]


def test_it_refuses_a_code_under_an_inactive_department(catalogue, administrator):
    Department.objects.filter(pk=catalogue["department"].pk).update(is_active=False)
    before = snapshot()
    file = csv_file([code_row(code="APPL", name="Renamed"), code_row()])

    errors = import_errors(file, administrator)

    assert errors == [
        (
            3,
            "Column “department”: “Environmental Services” is inactive. Reactivate it in this "
            "file (a row naming only it, with active=yes) or choose an active one.",
        )
    ]
    assert snapshot() == before
    assert ProblemCode.objects.get(code="APPL").name == "Appliance pickup"


def test_it_refuses_to_move_a_code_under_an_inactive_category(catalogue, administrator):
    ServiceCategoryFactory(provider=catalogue["provider"], name="Old", is_active=False)
    before = snapshot()
    file = csv_file([code_row(code="APPL", name="Appliance pickup", category="Old")])

    [(line, message)] = import_errors(file, administrator)

    assert (line, message.split(":")[0]) == (2, "Column “category”")
    assert snapshot() == before


def test_it_refuses_a_standard_work_order_defined_twice_differently(unchanged, administrator):
    file = csv_file(
        [
            code_row(code="A", standard_work_order="Sweep", standard_work_order_trade="Cleaning"),
            code_row(code="B", standard_work_order="sweep"),
            code_row(code="C", standard_work_order="Sweep", standard_work_order_trade="Roads"),
        ]
    )

    errors = import_errors(file, administrator)

    assert [line for line, _message in errors] == [3, 4]
    assert "is written “Sweep” on line 2" in errors[0][1]
    assert "“Sweep” is defined differently on line 2" in errors[1][1]


def test_it_refuses_a_level_said_to_be_active_and_inactive(unchanged, administrator):
    file = csv_file(
        [
            {"department": "Environmental Services", "active": "yes"},
            {"department": "Environmental Services", "active": "no"},
        ]
    )

    assert import_errors(file, administrator) == [
        (3, "Column “active”: Line 2 gives the opposite value for “Environmental Services”.")
    ]


def test_it_reports_every_error_in_the_file_at_once(unchanged, administrator):
    file = csv_file(
        [
            code_row(code="OK1"),
            code_row(code="B1", priority="sometimes"),
            code_row(code="OK2"),
            code_row(code="B2", name=""),
        ]
    )

    assert [line for line, _message in import_errors(file, administrator)] == [3, 5]


def test_it_names_missing_and_unexpected_columns(unchanged, administrator):
    header = [column for column in COLUMNS if column != "priority"] + ["colour"]
    file = csv_file([code_row()], header=header)

    [(line, message)] = import_errors(file, administrator)

    assert line == 1
    assert "Missing columns: priority." in message
    assert "Unexpected columns: colour." in message


def test_it_accepts_the_columns_in_another_order(catalogue, administrator):
    catalogue_import(csv_file([code_row()], header=list(reversed(COLUMNS))), user=administrator)

    assert ProblemCode.objects.get(code="NEW").category == catalogue["category"]


def test_it_refuses_a_latin_1_file(unchanged, administrator):
    file = csv_file([code_row(code="A"), code_row(code="B", name="Müllabfuhr")], encoding="latin-1")

    [(line, message)] = import_errors(file, administrator)

    assert line == 3
    assert "not UTF-8" in message
    assert "CSV UTF-8" in message


def test_it_refuses_more_rows_than_the_limit(unchanged, administrator, settings):
    settings.CATALOGUE_IMPORT_MAX_ROWS = 5
    file = csv_file([code_row(code=f"N{n}") for n in range(6)])

    assert import_errors(file, administrator) == [
        (
            None,
            "The file has 6 rows; at most 5 rows can be imported at once. "
            "Split it into smaller files.",
        )
    ]


def test_it_refuses_a_hundred_thousand_rows_before_reading_them_into_models(
    unchanged, administrator, django_assert_num_queries
):
    header = ",".join(COLUMNS).encode()
    data = header + b"\r\n" + b"D,P,C,X,N,,,,,,,,,,,\r\n" * 100_001

    with django_assert_num_queries(0):
        errors = import_errors(io.BytesIO(data), administrator)

    assert errors == [
        (
            None,
            "The file has 100001 rows; at most 10000 rows can be imported at once. "
            "Split it into smaller files.",
        )
    ]


def test_it_refuses_a_file_over_the_byte_limit(unchanged, administrator, settings):
    settings.CATALOGUE_IMPORT_MAX_BYTES = 1024
    file = csv_file([code_row(code=f"N{n}") for n in range(20)])

    assert import_errors(file, administrator) == [(None, "The file is larger than 1.0\xa0KB.")]


def test_it_refuses_an_empty_file(unchanged, administrator):
    assert import_errors(io.BytesIO(b""), administrator) == [(None, "The file is empty.")]


def test_its_error_is_a_validation_error_with_a_message_per_line(unchanged, administrator):
    file = csv_file([code_row(name="")])

    with pytest.raises(CatalogueImportError) as raised:
        catalogue_import(file, user=administrator)

    assert raised.value.messages == ["Line 2: Column “name”: It is empty."]


def header_and(*lines: str) -> io.BytesIO:
    return io.BytesIO("\r\n".join([",".join(COLUMNS), *lines, ""]).encode("utf-8"))


GOOD_LINE = "Environmental Services,Solid Waste,Household garbage collection,GOOD,Good,,normal"


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b"])
def test_it_refuses_a_nul_byte_or_another_control_character_naming_its_line(
    unchanged, administrator, character
):
    file = csv_file([code_row(code="A"), code_row(code="B", name=f"Broken{character}bench")])

    [(line, message)] = import_errors(file, administrator)

    assert line == 3
    assert f"control character (U+{ord(character):04X})" in message
    assert "CSV UTF-8" in message


def test_it_counts_lines_to_a_control_character_inside_a_cell_of_several_lines(
    unchanged, administrator
):
    file = csv_file([code_row(code="A", description="one\ntwo\nth\x00ree")])

    assert [line for line, _message in import_errors(file, administrator)] == [4]


def test_it_lists_the_first_ten_lines_of_a_binary_looking_file(unchanged, administrator):
    file = io.BytesIO(b"\x00\x01\r\n" * 50)

    errors = import_errors(file, administrator)

    assert [line for line, _message in errors] == [None, *range(1, 11)]
    assert errors[0][1] == "More lines hold control characters; only the first 10 are listed."


def test_it_refuses_a_quote_that_is_never_closed(unchanged, administrator):
    # Read leniently, the open quote swallowed line 4 into line 3's description: one code
    # imported with two rows for a description, and GOOD2 silently lost.
    file = header_and(
        GOOD_LINE,
        'Environmental Services,Solid Waste,Household garbage collection,X,Open,"Half a quote',
        GOOD_LINE.replace("GOOD", "GOOD2"),
    )

    assert import_errors(file, administrator) == [
        (
            3,
            'A quote (") opens a cell in this row and is never closed: the file ends inside it. '
            'A cell that starts with a quote (") must end with one, and a quote inside such a '
            'cell is written twice ("").',
        )
    ]


def test_it_refuses_text_after_a_closing_quote(unchanged, administrator):
    file = header_and(
        GOOD_LINE,
        'Environmental Services,Solid Waste,Household garbage collection,X,"Broken" bench,,normal',
    )

    [(line, message)] = import_errors(file, administrator)

    assert line == 3
    assert message.startswith('A quote (") ends a cell, but more text follows it in the same')


def test_it_names_both_lines_of_a_quote_that_runs_on_to_a_later_line(unchanged, administrator):
    file = header_and(
        'Environmental Services,Solid Waste,Household garbage collection,X,"Open,,normal',
        'Environmental Services,Solid Waste,Household garbage collection,Y,"Closed",,normal',
    )

    [(line, message)] = import_errors(file, administrator)

    assert line == 2
    assert "runs on to line 3, where a quote ends it" in message


def test_it_keeps_quotes_written_twice_and_a_quote_inside_a_bare_cell(catalogue, administrator):
    file = header_and(
        'Environmental Services,Solid Waste,Household garbage collection,A,"The ""big"" bin"'
        ",,normal",
        'Environmental Services,Solid Waste,Household garbage collection,B,5" pipe,,normal',
    )

    catalogue_import(file, user=administrator)

    assert ProblemCode.objects.get(code="A").name == 'The "big" bin'
    assert ProblemCode.objects.get(code="B").name == '5" pipe'


def test_it_refuses_a_cell_longer_than_the_reader_takes(unchanged, administrator):
    file = header_and(f"Environmental Services,Solid Waste,X,A,{'x' * 200_000},,normal")

    assert import_errors(file, administrator) == [(2, "A cell is longer than 131072 characters.")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Ä,ö".encode("utf-16"), (1, "The file is not UTF-8 encoded.")),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", (1, "The file is not UTF-8 encoded.")),
        (b"\xef\xbb\xbf", (None, "The file is empty.")),
        (b"\xef\xbb\xbf \r\n\t\r\n, ,\r\n", (None, "The file is empty.")),
    ],
    ids=["utf-16 with its byte order mark", "png", "a byte order mark alone", "blank lines"],
)
def test_it_refuses_undecodable_or_empty_files_with_a_clear_error(
    unchanged, administrator, data, expected
):
    [(line, message)] = import_errors(io.BytesIO(data), administrator)

    assert (line, message[: len(expected[1])]) == expected


# Keywords

KEYWORDS = {
    "keywords_en": "fridge, refrigerator, freezer",
    "keywords_de": "Kühlschrank, Gefrierschrank",
    "keywords_nb": "kjøleskap, fryser",
}


def test_keywords_make_the_round_trip_in_every_language(catalogue, administrator):
    ProblemCode.objects.filter(code="APPL").update(**KEYWORDS)
    data = exported()
    ProblemCode.objects.all().delete()

    summary = catalogue_import(io.BytesIO(data), user=administrator)

    assert summary.problem_codes.created == 2
    appl = ProblemCode.objects.get(code="APPL")
    assert {field: getattr(appl, field) for field in KEYWORDS} == KEYWORDS
    assert exported() == data


def test_imported_keywords_are_tidied_and_an_empty_cell_clears_them(catalogue, administrator):
    ProblemCode.objects.filter(code="APPL").update(keywords_nb="kjøleskap")
    file = csv_file(
        [
            code_row(
                code="APPL",
                name="Appliance pickup",
                permanent_fix_days="10",
                standard_work_order="Collect household appliance",
                keywords_en="fridge;Fridge ,  freezer",
                keywords_nb="",
            )
        ]
    )

    catalogue_import(file, user=administrator)

    appl = ProblemCode.objects.get(code="APPL")
    assert (appl.keywords_en, appl.keywords_nb) == ("fridge, freezer", "")


def test_a_file_without_keyword_columns_imports_and_keeps_the_stored_keywords(
    catalogue, administrator
):
    ProblemCode.objects.filter(code="APPL").update(**KEYWORDS)
    header = [column for column in COLUMNS if not column.startswith("keywords_")]
    file = csv_file(
        [
            code_row(
                code="APPL",
                name="Appliance collection",
                permanent_fix_days="10",
                standard_work_order="Collect household appliance",
            ),
            code_row(code="TV", name="Television pickup"),
        ],
        header=header,
    )

    summary = catalogue_import(file, user=administrator)

    assert (summary.problem_codes.created, summary.problem_codes.updated) == (1, 1)
    appl = ProblemCode.objects.get(code="APPL")
    assert appl.name == "Appliance collection"
    assert {field: getattr(appl, field) for field in KEYWORDS} == KEYWORDS
    assert ProblemCode.objects.get(code="TV").keywords_en == ""


def test_it_refuses_keywords_longer_than_the_limit_naming_the_column(unchanged, administrator):
    file = csv_file([code_row(keywords_de=", ".join(f"Gerät {n}" for n in range(150)))])

    [(line, message)] = import_errors(file, administrator)

    assert line == 2
    assert "“keywords_de”" in message and "at most 1000 characters" in message


def test_keywords_without_a_code_are_refused(unchanged, administrator):
    file = csv_file([{**APPL_PATH, "keywords_en": "fridge"}])

    errors = import_errors(file, administrator)

    assert (
        2,
        "Column “code”: It is empty, but other columns of a problem code are filled.",
    ) in errors
