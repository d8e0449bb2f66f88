import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from reports.charts import bar_chart, column_chart
from reports.services import report_days_refresh
from reports.views import recent_callers
from requests_app.models import CustomerRequest, Status
from requests_app.services import request_consult, request_start, request_start_for_customer
from tests.factories import CustomerFactory, article, user_with_role

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
    content = page.content.decode()
    assert "<svg" in content or 'class="chart-empty"' in content or name == "knowledge-base"
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
    report_days_refresh()  # as the task worker does once the request is saved
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
    report_days_refresh()  # as the task worker does once the request is saved
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
        "Agent,Requests,Finished,Average handling time (s),Median handling time (s),"
        "First-contact resolution (%)"
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


def test_typed_days_are_the_period_whatever_the_menu_says(client, manager, agent):
    request_start(agent=agent)
    client.force_login(manager)
    today = timezone.localdate()
    response = client.get(
        report_url("volume"),
        {"period": "30_days", "first_day": "2026-03-02", "last_day": "2026-03-08"},
    )
    form = response.context["form"]
    assert form["period"].value() == "custom"
    assert response.context["period"].first_day.isoformat() == "2026-03-02"
    assert response.context["period"].last_day.isoformat() == "2026-03-08"
    page = response.content.decode()
    assert '<option value="custom" selected>' in page
    assert "js/reports.js" in page  # the menu follows the typed days
    # Empty date fields, as a form without them sends, leave the preset alone.
    response = client.get(report_url("volume"), {"period": "today", "first_day": ""})
    assert response.context["period"].first_day == today


def test_an_empty_period_says_so_instead_of_an_empty_chart(client, manager, agent):
    client.force_login(manager)
    page = client.get(
        report_url("volume"), {"first_day": "2026-03-02", "last_day": "2026-03-08"}
    ).content.decode()
    assert "No requests in this period." in page
    assert "<svg" not in page
    assert "Nothing in this period." in page  # the table of zeros is not drawn either
    request_start(agent=agent)
    report_days_refresh()  # as the task worker does once the request is saved
    page = client.get(report_url("volume"), {"period": "today"}).content.decode()
    assert "<svg" in page and "No requests in this period." not in page
    page = client.get(report_url("work-orders")).content.decode()
    assert "No work order is overdue." in page


def test_durations_carry_their_unit_on_the_page(client, manager, agent):
    request_start(agent=agent)
    report_days_refresh()  # as the task worker does once the request is saved
    client.force_login(manager)
    page = client.get(report_url("handling")).content.decode()
    assert "Median handling time (min:s)" in page
    assert "Average handling time (min:s)" in page
    assert "(s)" not in page


def test_chart_numbers_are_written_as_the_readers_language_writes_them():
    with translation.override("de"):
        assert bar_chart("Requests", ["A"], [12345], "Requests", "Agent").bars[0].text == "12.345"
    with translation.override("en"):
        assert column_chart("Requests", ["A"], [12345], "Day", "Requests").bars[0].text == "12,345"
    html = render_to_string(
        "includes/chart.html", {"chart": bar_chart("Requests", ["A"], [12345], "R", "A")}
    )
    assert ">12,345</text>" in html and "A: 12,345</title>" in html


def test_csv_file_names_do_not_repeat_the_reports_name(client, manager):
    client.force_login(manager)
    today = timezone.localdate().isoformat()
    names = {
        ("volume", "volume"): f"volume-{today}-{today}.csv",
        ("backlog", "backlog"): "backlog.csv",
        ("handling", "agents"): f"handling-agents-{today}-{today}.csv",
        ("work-orders", "providers"): f"work-orders-providers-{today}-{today}.csv",
        ("knowledge-base", "failed-searches"): (
            f"knowledge-base-failed-searches-{today}-{today}.csv"
        ),
    }
    for (name, table), filename in names.items():
        response = client.get(report_url(name), {"period": "today", "download": table})
        assert response["Content-Disposition"].endswith(f'filename="{filename}"'), name


def test_the_knowledge_report_names_languages(client, manager, agent, supervisor):
    written = article(supervisor, "Sperrmüll", language="de")
    request_consult(request=request_start(agent=agent), article=written, user=agent)
    client.force_login(manager)
    page = client.get(report_url("knowledge-base"), {"period": "today"}).content.decode()
    assert "<td>German</td>" in page
    assert "<td>de</td>" not in page
    page = client.get(
        report_url("knowledge-base"), {"period": "today"}, HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert "<td>Deutsch</td>" in page


def test_the_agents_today_page_lists_their_recent_callers_once_each(client, agent, supervisor):
    ada = CustomerFactory(name="Ada Lovelace")
    grace = CustomerFactory(name="Grace Hopper")
    alan = CustomerFactory(name="Alan Turing")
    for customer in (ada, grace, ada):
        request_start_for_customer(agent=agent, customer=customer)
    request_start_for_customer(agent=supervisor, customer=alan)
    request_start(agent=agent)  # an unknown caller is nobody's link
    client.force_login(agent)
    page = client.get(reverse("dashboard")).content.decode()
    assert "My recent callers" in page
    callers = page[page.index("My recent callers") :]
    assert callers.count(f'href="{ada.get_absolute_url()}"') == 1
    assert callers.index("Ada Lovelace") < callers.index("Grace Hopper")  # the latest first
    assert "Alan Turing" not in page  # someone else's caller


def test_recent_callers_are_read_through_the_agents_index(agent, django_assert_num_queries):
    for _ in range(3):
        request_start_for_customer(agent=agent, customer=CustomerFactory())
    with django_assert_num_queries(2):  # the latest requests, then their customers
        assert len(recent_callers(agent)) == 3
    # A colleague's many requests, as in a call center: this agent's are a few among them.
    colleague, regular = user_with_role("Agent", "colleague"), CustomerFactory()
    CustomerRequest.objects.bulk_create(
        CustomerRequest(
            number=f"CR-T-{number}", agent=colleague, customer=regular, started_at=timezone.now()
        )
        for number in range(300)
    )
    query = (
        CustomerRequest.objects.filter(agent=agent, customer__isnull=False)
        .order_by("-started_at")
        .values_list("customer_id", "started_at")[:50]
    )
    if connection.vendor != "postgresql":
        assert "request_agent_newest" in query.explain()
        return
    with connection.cursor() as cursor:
        # Statistics of these rows (not of what other tests left), and no sequential scan,
        # which a few hundred rows make cheapest: can an index find the agent's requests, as
        # it must among millions? (With three of them, PostgreSQL may fetch them by the agent
        # alone and sort them; with thousands, by (agent, started).)
        cursor.execute("ANALYZE requests_app_customerrequest")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = query.explain()
    assert "Seq Scan" not in plan
    assert "Index Cond: (agent_id = " in plan


def test_the_teams_hourly_chart_says_when_no_request_came_in_yet(client, supervisor, agent):
    client.force_login(supervisor)
    page = client.get(reverse("dashboard")).content.decode()
    assert "No requests yet today." in page
    request_start(agent=agent)
    page = client.get(reverse("dashboard")).content.decode()
    assert "No requests yet today." not in page and "Requests per hour today" in page
