"""The reports' only writes: their day counts (reports.rollup says what they count), counted
again by the task worker (reports.tasks) after a service changed requests, and every day at once
by `manage.py refresh_reports`. A report never writes: it reads the counts and says how current
they are (reports.rollup.figures_as_of)."""

from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from reports.models import HandlingDay, RequestDay, RollupState
from reports.rollup import (
    COLUMNS,
    COUNTED,
    HISTOGRAMS,
    MAX_DAYS_ONE_BY_ONE,
    changed_days,
    counts,
    histogram,
    started_on,
)
from requests_app.models import CustomerRequest


@transaction.atomic
def report_days_refresh(*, changed_before: datetime | None = None) -> int | None:
    """Count again the days whose requests changed since the last count began (every day the
    first time); how many days were counted (None: all of them).

    `changed_before`: the change this refresh was asked for had committed by then. A count that
    began later has it already, so this one does nothing: the saves of a busy moment make one
    count each time the worker is free, not one each. One count at a time (the lock on the
    state's row); the others wait for it, then mostly find nothing to do."""
    state = _locked_state()
    if changed_before is not None and state.refreshed_at and state.refreshed_at > changed_before:
        return 0
    started = timezone.now()
    days = None if state.refreshed_at is None else changed_days(state.refreshed_at)
    if days is None or days:
        days = _count(days)
    state.refreshed_at = started
    state.save(update_fields=["refreshed_at"])
    return None if days is None else len(days)


@transaction.atomic
def report_days_count_all() -> None:
    """Count every day again: after an import or a migration that wrote requests without
    changing their updated_at, or a change of the time zone (which moves the local days)."""
    state = _locked_state()
    started = timezone.now()
    _count(None)
    state.refreshed_at = started
    state.save(update_fields=["refreshed_at"])


def _locked_state() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def _count(days: set[date] | None) -> set[date] | None:
    """Replace the counts of these days (of every day: None) with fresh ones; the days counted
    (None: all, which is also how more than MAX_DAYS_ONE_BY_ONE are counted)."""
    requests = CustomerRequest.objects.all()
    request_days, handling_days = RequestDay.objects.all(), HandlingDay.objects.all()
    if days is not None and len(days) <= MAX_DAYS_ONE_BY_ONE:
        requests = started_on(days)
        request_days = request_days.filter(day__in=days)
        handling_days = handling_days.filter(day__in=days)
    else:
        days = None
    request_days.delete()
    handling_days.delete()
    for dimension, column in COLUMNS.items():
        _insert(
            RequestDay, ["day", "dimension", "key", *COUNTED], counts(requests, dimension, column)
        )
    for dimension in HISTOGRAMS:
        _insert(
            HandlingDay,
            ["day", "dimension", "key", "bucket", "count"],
            histogram(requests, dimension, COLUMNS[dimension]),
        )
    if days is None and connection.vendor == "postgresql":
        # Every row is new: without fresh statistics the planner sorts the histogram on disk
        # instead of hashing it (docs/benchmarks.md, "Reports").
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {RequestDay._meta.db_table}, {HandlingDay._meta.db_table}")
    return days


def _insert(model, columns: list[str], rows: QuerySet) -> None:
    """INSERT … SELECT: the grouped rows go from one table to the other inside the database
    (Django's ORM has no INSERT from a query). The SELECT's columns come in the order of
    `columns` (values() then annotate())."""
    sql, params = rows.query.sql_with_params()
    names = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in columns
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) {sql}", params)
