import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hierarchy.catalogue_csv import COLUMNS
from hierarchy.models import Department, ProblemCode

pytestmark = pytest.mark.django_db


def csv_upload(rows: list[dict], name: str = "catalogue.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), "text/csv")


def code_row(**values) -> dict:
    row = {
        "department": "Parks",
        "provider": "Park Maintenance",
        "category": "Trees",
        "code": "TREE",
        "name": "Fallen tree",
        "priority": "high",
    }
    return {**row, **values}


def test_it_imports_a_file_and_says_what_it_did(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:catalogue_import"),
        {"file": csv_upload([code_row(), code_row(code="BENCH", name="Broken bench")])},
        follow=True,
    )
    assert ProblemCode.objects.filter(code__in=["TREE", "BENCH"]).count() == 2
    assert "Entries created: 5, updated: 0, unchanged: 0." in response.content.decode()


def test_it_lists_every_bad_row_and_imports_nothing(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:catalogue_import"),
        {"file": csv_upload([code_row(), code_row(name=""), code_row(priority="sometimes")])},
    )
    assert response.status_code == 200
    lines = [line for line, _message in response.context["problems"]]
    assert lines == [3, 4]
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert not Department.objects.filter(name="Parks").exists()


def test_it_asks_for_a_file(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("hierarchy:catalogue_import"), {})
    assert response.context["form"].errors["file"] == ["This field is required."]


def test_the_export_downloads_the_catalogue(client, administrator, catalogue):
    client.force_login(administrator)
    response = client.get(reverse("hierarchy:catalogue_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert "APPL,Appliance pickup" in text


def test_the_export_uses_semicolons_for_german_excel(client, administrator, catalogue):
    client.force_login(administrator)
    response = client.get(reverse("hierarchy:catalogue_export"), headers={"Accept-Language": "de"})
    assert response.content.decode("utf-8-sig").splitlines()[0] == ";".join(COLUMNS)


def test_import_and_export_are_for_administrators_only(client, supervisor, catalogue):
    client.force_login(supervisor)
    assert client.get(reverse("hierarchy:catalogue_import")).status_code == 403
    assert client.get(reverse("hierarchy:catalogue_export")).status_code == 403
    response = client.post(
        reverse("hierarchy:catalogue_import"), {"file": csv_upload([code_row()])}
    )
    assert response.status_code == 403
    assert not ProblemCode.objects.filter(code="TREE").exists()


def refused_upload(client, data: bytes):
    response = client.post(
        reverse("hierarchy:catalogue_import"),
        {"file": SimpleUploadedFile("catalogue.csv", data, "text/csv")},
    )
    assert response.status_code == 200
    assert not Department.objects.filter(name="Parks").exists()
    assert not ProblemCode.objects.exists()
    return response


def test_a_nul_byte_is_refused_with_its_line_and_nothing_is_imported(client, administrator):
    client.force_login(administrator)
    data = csv_upload([code_row(), code_row(code="BENCH", name="Broken\x00bench")]).read()

    response = refused_upload(client, data)

    [(line, message)] = response.context["problems"]
    assert line == 3
    assert "control character (U+0000)" in message
    assert "Nothing was imported: the file has 1 problem" in response.content.decode()


def test_a_quote_never_closed_is_refused_with_its_line(client, administrator):
    client.force_login(administrator)
    data = csv_upload([code_row()]).read() + b'Parks,Park Maintenance,Trees,BENCH,"Broken\r\n'

    response = refused_upload(client, data)

    [(line, message)] = response.context["problems"]
    assert line == 3
    assert "never closed" in message
    assert "never closed" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (b"", "The submitted file is empty."),
        (b"\xef\xbb\xbf", "The file is empty."),
        (",".join(COLUMNS).encode("utf-16"), "The file is not UTF-8 encoded."),
        (",".join(COLUMNS).encode("utf-16-le"), "control character (U+0000)"),
        (",".join(COLUMNS).encode("utf-8") + b"\r\nParks,M\xfcll", "The file is not UTF-8"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "control character (U+0003)"),
        (bytes(range(256)), "The file is not UTF-8 encoded."),
    ],
    ids=[
        "empty",
        "a byte order mark alone",
        "utf-16",
        "utf-16 without its mark",
        "latin-1",
        "an excel workbook",
        "binary",
    ],
)
def test_undecodable_files_are_refused_with_a_clear_error(client, administrator, data, shown):
    client.force_login(administrator)

    response = refused_upload(client, data)

    assert shown in response.content.decode()
