"""A manager reads the request volume of the last 30 days by department and takes it to Excel."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from requests_app.models import RequestType
from requests_app.services import request_save, request_start
from tests.browser.test_catalogue_journeys import log_in, log_out

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
    # The task worker counts the saved request for the reports.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
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
    assert re.fullmatch(r"volume-[-0-9]{21}\.csv", download.value.suggested_filename)
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0] == "Day,Environmental Services,Total"
    log_out(page)

    log_in(page, live_server, "agent")
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)
    response = page.goto(f"{live_server.url}/reports/volume/")
    assert response.status == 403


def test_typing_days_makes_them_the_period_and_an_empty_one_says_so(
    page: Page, live_server, manager
):
    log_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/reports/volume/")
    period = page.get_by_label("Period")
    expect(period).to_have_value("30_days")
    page.get_by_label("From").fill("2026-03-02")
    expect(period).to_have_value("custom")
    page.get_by_label("To").fill("2026-03-08")
    page.get_by_role("button", name="Show").click()

    expect(period).to_have_value("custom")
    expect(page.get_by_label("From")).to_have_value("2026-03-02")
    expect(page.get_by_text("No requests in this period.").first).to_be_visible()
    expect(page.locator("svg")).to_have_count(0)

    period.select_option(label="Today")
    expect(page.get_by_label("From")).to_have_value("")
    expect(page.get_by_label("To")).to_have_value("")
    page.get_by_role("button", name="Show").click()
    expect(period).to_have_value("today")
