"""The reports' day counts are counted by the task worker once a service changed requests,
never by a report being read; a report says how current they are."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from reports import figures, rollup
from reports.periods import Period
from reports.services import report_days_refresh
from requests_app.models import CustomerRequest, RequestType
from requests_app.services import request_save, request_start

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
COUNT_TASK = "reports.tasks.count_changed_days"


def today() -> Period:
    return Period(timezone.localdate(), timezone.localdate())


def test_the_services_have_the_worker_count_each_change(
    agent, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE  # the worker's task runs as soon as it is queued
    with django_capture_on_commit_callbacks(execute=True) as queued:
        request = request_start(agent=agent)
    assert len(queued) == 1
    assert figures.volume(today(), "day", "type").columns == ["Information"]
    with django_capture_on_commit_callbacks(execute=True):
        request_save(
            request=request,
            values={"request_type": RequestType.COMMENT, "comment": "Thanks"},
            expected_version=request.version,
            user=agent,
        )
    table = figures.volume(today(), "day", "type")
    assert (table.columns, table.total) == (["Comment"], 1)
    assert figures.handling_total(today()).finished == 1


@pytest.mark.django_db(transaction=True)
def test_a_save_queues_a_count_in_the_database_and_the_worker_runs_it(agent):
    request_start(agent=agent)
    queued = DBTaskResult.objects.filter(task_path=COUNT_TASK)
    assert queued.count() == 1
    assert figures.handling_total(today()).requests == 0  # not counted by reading
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert queued.get().status == TaskResultStatus.SUCCESSFUL
    assert figures.handling_total(today()).requests == 1


def test_a_count_asked_for_before_the_last_count_began_does_nothing(agent):
    request_start(agent=agent)
    assert report_days_refresh() is None  # the first count counts every day
    began = rollup.refreshed_at()
    assert report_days_refresh(changed_before=began - timedelta(seconds=1)) == 0
    assert rollup.refreshed_at() == began
    # Asked for after it began: today (changed within the margin) is counted again.
    assert report_days_refresh(changed_before=timezone.now()) == 1
    assert rollup.refreshed_at() > began


def report_pages() -> list[str]:
    urls = [
        reverse("reports:report", args=[name])
        for name in ["volume", "handling", "backlog", "work-orders", "knowledge-base", "feedback"]
    ]
    volume, handling = urls[0], urls[1]
    return [*urls, f"{volume}?download=volume", f"{handling}?download=agents", "/today/"]


def test_reading_reports_writes_nothing(client, manager, agent):
    request_start(agent=agent)  # its count is queued, not run: the reads find it changed
    client.force_login(manager)
    for url in [*report_pages(), *report_pages()]:  # before the first count, and after
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        writes = [
            query["sql"]
            for query in queries.captured_queries
            if query["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
            or "FOR UPDATE" in query["sql"].upper()
        ]
        assert writes == [], url
        report_days_refresh()
    assert figures.handling_total(today()).requests == 1


def test_a_report_says_how_current_its_figures_are(client, manager, agent):
    client.force_login(manager)
    volume = reverse("reports:report", args=["volume"])
    request_start(agent=agent)
    page = client.get(volume, {"period": "today"}).content.decode()
    assert "Figures not counted yet" in page
    assert "No requests in this period." in page

    report_days_refresh()
    began = rollup.refreshed_at()
    now = timezone.now()
    assert rollup.figures_as_of(now) == now  # nothing changed since the count began
    page = client.get(volume, {"period": "today"}).content.decode()
    assert "Figures as of " in page and "No requests in this period." not in page

    request_start(agent=agent)  # changed; the worker has not counted it yet
    assert rollup.figures_as_of() == began
    as_of = date_format(timezone.localtime(began), "TIME_FORMAT")
    for url in [volume, reverse("reports:report", args=["handling"]), "/today/"]:
        assert f"Figures as of {as_of}." in client.get(url).content.decode(), url
    assert figures.handling_total(today()).requests == 1  # as counted, until the worker runs


def test_refresh_reports_counts_every_day_again(agent):
    request = request_start(agent=agent)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    CustomerRequest.objects.filter(pk=request.pk).update(updated_at=an_hour_ago)
    report_days_refresh()
    # Written as a migration or an import might, leaving updated_at alone: the worker's count
    # does not see it, the full count does.
    CustomerRequest.objects.filter(pk=request.pk).update(request_type=RequestType.COMMENT)
    report_days_refresh()
    assert figures.volume(today(), "day", "type").columns == ["Information"]
    out = StringIO()
    call_command("refresh_reports", stdout=out)
    assert figures.volume(today(), "day", "type").columns == ["Comment"]
    assert out.getvalue().startswith("Counted 1 days in ")
