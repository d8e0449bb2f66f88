import pytest
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Status
from requests_app.services import request_start
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def report_url(name: str) -> str:
    return reverse("reports:report", args=[name])


@pytest.mark.parametrize("name", ["volume", "handling", "backlog", "work-orders", "knowledge-base"])
def test_managers_and_supervisors_read_every_report_agents_do_not(
    client, agent, supervisor, manager, name
):
    client.force_login(manager)
    page = client.get(report_url(name))
    assert page.status_code == 200
    assert "<svg" in page.content.decode() or name == "knowledge-base"
    client.force_login(supervisor)
    assert client.get(report_url(name)).status_code == 200
    client.force_login(agent)
    assert client.get(report_url(name)).status_code == 403


def test_an_unknown_report_is_not_found(client, manager):
    client.force_login(manager)
    assert client.get(report_url("salaries")).status_code == 404
    assert client.get(report_url("volume"), {"download": "salaries"}).status_code == 404


def test_the_volume_report_by_department_with_chart_and_table(client, manager, agent):
    request_start(agent=agent)
    client.force_login(manager)
    page = client.get(report_url("volume"), {"period": "30_days", "by": "department"}).content
    page = page.decode()
    assert "Requests by Department" in page
    assert "<title" in page  # the chart's accessible title
    assert 'download=volume"' in page or "download=volume" in page


def test_a_bad_custom_period_says_what_is_wrong(client, manager):
    client.force_login(manager)
    page = client.get(
        report_url("volume"),
        {"period": "custom", "first_day": "2026-03-10", "last_day": "2026-03-01"},
    ).content.decode()
    assert "The last day comes before the first." in page


def test_csv_for_german_excel_without_formula_injection(client, manager):
    sneaky = user_with_role("Agent", "=HYPERLINK(evil)")
    request_start(agent=sneaky)
    client.force_login(manager)
    response = client.get(
        report_url("volume"),
        {"by": "agent", "period": "today", "download": "volume"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, row, total = text.lstrip("\ufeff").splitlines()
    assert header == "Tag;'=HYPERLINK(evil);Summe"
    assert row.endswith(";1;1")


def test_the_handling_csv_keeps_numbers(client, manager, agent):
    client.force_login(manager)
    response = client.get(report_url("handling"), {"download": "agents"})
    assert response.content.decode("utf-8").lstrip("\ufeff").splitlines()[0] == (
        "Agent,Requests,Finished,Average handling time,Median handling time,"
        "First-contact resolution"
    )


def test_each_role_starts_on_its_dashboard(client, agent, supervisor, manager, administrator):
    mine = request_start(agent=agent)
    mine.status = Status.FOLLOW_UP
    mine.follow_up_due = timezone.now()
    mine.follow_up_assignee = agent
    mine.save()
    client.force_login(agent)
    assert client.get("/").url == reverse("dashboard")
    page = client.get(reverse("dashboard")).content.decode()
    assert "My day" in page and mine.number in page
    assert "The team" not in page and "Headline figures" not in page
    client.force_login(supervisor)
    page = client.get(reverse("dashboard")).content.decode()
    assert "The team" in page and "Requests per hour today" in page
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Headline figures" in page and "My day" not in page
    client.force_login(administrator)
    assert client.get(reverse("dashboard")).url == reverse("hierarchy:tree")
