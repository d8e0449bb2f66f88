"""A manager reads the request volume of the last 30 days by department and takes it to Excel."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from requests_app.models import RequestType
from requests_app.services import request_save, request_start
from tests.browser.test_catalogue_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_volume_by_department_and_downloads_it(
    page: Page, live_server, manager, agent, catalogue
):
    request = request_start(agent=agent)
    request_save(
        request=request,
        values={
            "request_type": RequestType.ACTION,
            "problem_code": catalogue["appl"],
            "work_address": "12 Main Street",
        },
        expected_version=request.version,
        user=agent,
    )
    log_in(page, live_server, "manager")
    page.get_by_role("link", name="Reports").click()
    page.get_by_label("Period").select_option(label="Last 30 days")
    page.get_by_label("Broken down by").select_option(label="Department")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_role("img", name="Requests by Department")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Environmental Services")).to_be_visible()
    expect(table.locator("tfoot")).to_contain_text("1")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("volume-volume-")
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0] == "Day,Environmental Services,Total"
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "agent")
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)
    response = page.goto(f"{live_server.url}/reports/volume/")
    assert response.status == 403
