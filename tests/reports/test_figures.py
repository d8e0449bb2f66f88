"""Each figure against a small data set whose answer is known by hand. The configured time zone
is Europe/Berlin (UTC+1 in March): a request at 00:30 local time belongs to that local day,
although it is still the day before in UTC."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from reports import figures
from reports.periods import Period, preset_period
from reports.services import report_days_refresh
from requests_app.models import Channel, CustomerRequest, RequestType, Status
from tests.factories import user_with_role
from workorders.models import WorkOrder, WorkOrderStatus

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
MARCH = Period(date(2026, 3, 10), date(2026, 3, 11))


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def logged(agent, started, seconds=None, *, first_contact=False, **values) -> CustomerRequest:
    """A request written as an import would, without a service: the day counts have it once
    the task worker has counted (count())."""
    return CustomerRequest.objects.create(
        number=f"CR-test-{CustomerRequest.objects.count()}",
        agent=agent,
        started_at=started,
        finished_at=started + timedelta(seconds=seconds) if seconds is not None else None,
        first_contact_resolution=first_contact,
        **values,
    )


def count() -> None:
    """What the task worker does after requests changed (reports.tasks)."""
    report_days_refresh()


@pytest.fixture
def march(agent):
    other = user_with_role("Agent", "other")
    requests = [
        logged(agent, at(10, 23, 30), 60, first_contact=True),  # 22:30 UTC on the 10th
        logged(agent, at(11, 0, 30), 120),  # 23:30 UTC on the 10th, but the 11th here
        logged(
            other,
            at(11, 10),
            600,
            first_contact=True,
            request_type=RequestType.ACTION,
            channel=Channel.EMAIL,
        ),
        logged(agent, at(12, 0, 0)),  # the day after the period
        logged(agent, at(9, 23, 59)),  # the day before
    ]
    count()
    return requests


def test_volume_by_local_day_and_type(march):
    table = figures.volume(MARCH, "day", "type")
    assert table.columns == ["Information", "Action"]
    assert table.rows == [
        (date(2026, 3, 10), [1, 0], 1),
        (date(2026, 3, 11), [1, 1], 2),
    ]
    assert (table.column_totals, table.total) == ([2, 1], 3)


def test_volume_by_week_month_channel_and_agent(march):
    assert figures.volume(MARCH, "week", "channel").rows == [(date(2026, 3, 9), [2, 1], 3)]
    by_agent = figures.volume(MARCH, "month", "agent")
    assert by_agent.columns == ["agent", "other"]
    assert by_agent.rows == [(date(2026, 3, 1), [2, 1], 3)]


def test_volume_groups_without_a_department_and_adds_up_the_rest(agent):
    for minute in range(10):
        logged(agent, at(10, 12, minute), request_type=RequestType.COMMENT)
    count()
    table = figures.volume(MARCH, "day", "department")
    assert table.columns == ["No department: information and comment requests"]
    assert table.total == 10
    by_code = figures.volume(MARCH, "day", "problem_code")
    assert by_code.columns == ["No problem code: information and comment requests"]


def test_handling_time_and_first_contact_resolution(march):
    by_type = {row.label: row for row in figures.handling(MARCH, "type")}
    information = by_type["Information"]
    assert (information.requests, information.finished) == (2, 2)
    assert information.average_seconds == pytest.approx(90, abs=0.01)
    # 60 s and 120 s: the middles of their 10-second steps are 65 s and 125 s.
    assert information.median_seconds == pytest.approx(95, abs=0.01)
    assert information.first_contact_rate == 0.5
    total = figures.handling_total(MARCH)
    assert (total.requests, total.finished, total.first_contact) == (3, 3, 2)
    assert total.average_seconds == pytest.approx(260, abs=0.01)
    assert total.median_seconds == pytest.approx(125, abs=0.01)
    by_agent = [(row.label, row.requests) for row in figures.handling(MARCH, "agent")]
    assert by_agent == [("agent", 2), ("other", 1)]


def test_unfinished_requests_count_but_have_no_handling_time(agent):
    logged(agent, at(10, 9))
    count()
    row = figures.handling_total(MARCH)
    assert (row.requests, row.finished, row.average_seconds, row.first_contact_rate) == (
        1,
        0,
        None,
        None,
    )


def test_backlog_by_age_and_overdue_follow_ups(agent):
    now = timezone.now()
    logged(agent, now - timedelta(hours=2))
    logged(
        agent,
        now - timedelta(days=5),
        status=Status.FOLLOW_UP,
        follow_up_due=now - timedelta(hours=1),
        follow_up_assignee=agent,
    )
    logged(agent, now - timedelta(days=40))
    logged(agent, now - timedelta(days=2), 60, status=Status.RESOLVED)  # not waiting
    backlog = figures.backlog(now)
    assert backlog.rows == [
        ("Open", [1, 0, 0, 0, 1], 2),
        ("Needs follow-up", [0, 0, 1, 0, 0], 1),
    ]
    assert backlog.overdue_follow_ups == 1


def work_order(agent, catalogue, created, *, due, status=WorkOrderStatus.OPEN, closed=None):
    return WorkOrder.objects.create(
        number=f"WO-test-{WorkOrder.objects.count()}",
        problem_code=catalogue["appl"],
        title="Collect",
        address="12 Main Street",
        address_key=f"key {WorkOrder.objects.count()}",
        provider=catalogue["provider"],
        created_by=agent,
        created_at=created,
        due_at=due,
        status=status,
        closed_at=closed,
    )


def test_work_orders_opened_completed_on_time_and_overdue(agent, catalogue):
    done = WorkOrderStatus.COMPLETED
    work_order(agent, catalogue, at(10, 8), due=at(20, 8), status=done, closed=at(11, 9))
    work_order(agent, catalogue, at(10, 9), due=at(10, 12), status=done, closed=at(11, 9))
    work_order(agent, catalogue, at(11, 9), due=at(11, 10))  # open, overdue now
    work_order(agent, catalogue, at(1, 9), due=at(12, 9), status=done, closed=at(11, 23))
    work_order(agent, catalogue, at(1, 9), due=timezone.now() + timedelta(days=3))  # neither
    [row] = figures.work_orders_by_provider(MARCH)
    assert (row.provider, row.opened, row.completed, row.on_time, row.overdue) == (
        "Solid Waste",
        3,
        3,
        2,
        1,
    )


def test_volume_by_hour_against_the_same_day_last_week(agent):
    today = timezone.localdate()
    nine = datetime.combine(today, datetime.min.time(), tzinfo=BERLIN).replace(hour=9)
    logged(agent, nine + timedelta(minutes=15))
    logged(agent, nine + timedelta(minutes=45))
    logged(agent, nine - timedelta(days=7) + timedelta(hours=5))
    hourly = figures.volume_by_hour(today)
    assert hourly.today[9] == 2 and sum(hourly.today) == 2
    assert hourly.last_week[14] == 1 and sum(hourly.last_week) == 1


def test_periods_are_whole_local_days():
    period = Period(date(2026, 3, 10), date(2026, 3, 11))
    assert period.start == at(10, 0)
    assert period.end == at(12, 0)
    assert preset_period("week", date(2026, 3, 12)) == Period(date(2026, 3, 9), date(2026, 3, 12))
    assert preset_period("last_month", date(2026, 3, 12)) == Period(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert preset_period("30_days", date(2026, 3, 12)).days == 30
