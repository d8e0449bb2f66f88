"""Every CSV download (each report table, the catalogue export) is written by
callcenter.spreadsheets: a file Excel opens in the reader's language, with no cell it would run."""

import csv
import io

import pytest
from django.urls import reverse

from callcenter.spreadsheets import csv_response, write_csv
from hierarchy.catalogue_csv import COLUMNS
from reports.views import REPORTS
from tests.factories import ProblemCodeFactory

pytestmark = pytest.mark.django_db


def every_download(client) -> dict[str, str]:
    """The URL of each download a manager and an administrator are offered, by a short name."""
    urls = {"catalogue": reverse("hierarchy:catalogue_export")}
    for name in REPORTS:
        url = reverse("reports:report", args=[name])
        for table in client.get(url).context["tables"]:
            urls[f"{name}/{table.key}"] = f"{url}?download={table.key}"
    return urls


@pytest.fixture
def downloads(client, manager, administrator, catalogue):
    """The manager reads reports, the administrator exports the catalogue: one user may both."""
    administrator.groups.add(*manager.groups.all())
    client.force_login(administrator)
    return every_download(client)


def test_there_is_a_download_of_every_report_and_of_the_catalogue(downloads):
    assert "catalogue" in downloads
    assert {name.split("/")[0] for name in downloads} == {"catalogue", *REPORTS}


@pytest.mark.parametrize(("language", "delimiter"), [("en", ","), ("de", ";"), ("nb", ";")])
def test_every_download_is_an_excel_file_in_the_readers_language(
    client, downloads, language, delimiter
):
    for name, url in downloads.items():
        response = client.get(url, headers={"Accept-Language": language})

        assert response.status_code == 200, name
        assert response["Content-Type"] == "text/csv; charset=utf-8", name
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="'), name
        assert disposition.endswith('.csv"'), name
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff"), name
        header = next(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))
        assert len(header) > 1, name


def test_the_catalogue_export_escapes_formulas_as_every_download_does(client, administrator):
    ProblemCodeFactory(code="EVIL", name="=HYPERLINK(evil)")
    client.force_login(administrator)

    response = client.get(reverse("hierarchy:catalogue_export"))

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["name"] for row in rows if row["code"] == "EVIL"] == ["'=HYPERLINK(evil)"]
    assert tuple(rows[0]) == COLUMNS


def test_write_csv_writes_text_and_binary_streams_alike():
    header, rows = ["Name", "Share"], [["=cmd", 0.5], ["plain", None]]
    text, binary = io.StringIO(), io.BytesIO()

    assert write_csv(text, header, rows, delimiter=";") == 2
    assert write_csv(binary, header, rows, delimiter=";") == 2

    assert text.getvalue() == "\ufeffName;Share\r\n'=cmd;0,50\r\nplain;\r\n"
    assert binary.getvalue().decode("utf-8") == text.getvalue()


def test_a_download_name_beyond_ascii_is_kept_for_the_browser():
    response = csv_response("katalog-øst.csv", ["a"], [])
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''katalog-%C3%B8st.csv"
