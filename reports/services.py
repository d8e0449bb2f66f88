"""The reports' only writes: their day counts (reports.rollup says what they count), counted
again by the task worker (reports.tasks) after a service changed requests or feedback, and every
day at once by `manage.py refresh_reports`. A report never writes: it reads the counts and says
how current they are (reports.rollup.figures_as_of)."""

from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from feedback.models import FeedbackAnswer, FeedbackInvitation
from reports.models import FeedbackDay, HandlingDay, RequestDay, RollupState
from reports.rollup import (
    ANSWER_COUNTS,
    COLUMNS,
    COUNTED,
    HISTOGRAMS,
    MAX_DAYS_ONE_BY_ONE,
    changed_days,
    counts,
    feedback_answered,
    feedback_asked,
    feedback_changed_days,
    histogram,
    on_days,
)
from requests_app.models import CustomerRequest

KEYS = ["day", "dimension", "key"]


@transaction.atomic
def report_days_refresh(*, changed_before: datetime | None = None) -> int | None:
    """Count again the days whose requests or feedback changed since the last count began
    (every day the first time); how many days were counted (None: all of them).

    `changed_before`: the change this refresh was asked for had committed by then. A count that
    began later has it already, so this one does nothing: the saves of a busy moment make one
    count each time the worker is free, not one each. One count at a time (the lock on the
    state's row); the others wait for it, then mostly find nothing to do."""
    state = _locked_state()
    if changed_before is not None and state.refreshed_at and state.refreshed_at > changed_before:
        return 0
    started = timezone.now()
    since = state.refreshed_at
    request_days = _count(None if since is None else changed_days(since))
    feedback_days = _count_feedback(None if since is None else feedback_changed_days(since))
    state.refreshed_at = started
    state.save(update_fields=["refreshed_at"])
    if request_days is None or feedback_days is None:
        return None
    return len(request_days | feedback_days)


@transaction.atomic
def report_days_count_all() -> None:
    """Count every day again: after an import or a migration that wrote requests without
    changing their updated_at, or a change of the time zone (which moves the local days)."""
    state = _locked_state()
    started = timezone.now()
    _count(None)
    _count_feedback(None)
    state.refreshed_at = started
    state.save(update_fields=["refreshed_at"])


def _locked_state() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def _count(days: set[date] | None) -> set[date] | None:
    """Replace the request counts of these days (of every day: None) with fresh ones; the days
    counted (None: all, which is also how more than MAX_DAYS_ONE_BY_ONE are counted)."""
    if days is not None and not days:
        return days
    days = _one_by_one(days)
    requests = _on(CustomerRequest, "started_at", days)
    _counts_of(RequestDay, days).delete()
    _counts_of(HandlingDay, days).delete()
    for dimension, column in COLUMNS.items():
        _insert(RequestDay, [*KEYS, *COUNTED], counts(requests, dimension, column))
    for dimension in HISTOGRAMS:
        _insert(
            HandlingDay,
            [*KEYS, "bucket", "count"],
            histogram(requests, dimension, COLUMNS[dimension]),
        )
    if days is None:
        # Every row is new: without fresh statistics the planner sorts the histogram on disk
        # instead of hashing it (docs/benchmarks.md, "Reports").
        _analyze(RequestDay, HandlingDay)
    return days


def _count_feedback(days: set[date] | None) -> set[date] | None:
    """As _count, for the feedback counts: the invitations and answers of the requests finished
    on these days."""
    if days is not None and not days:
        return days
    days = _one_by_one(days)
    invitations = _on(FeedbackInvitation, "asked_at", days)
    answers = _on(FeedbackAnswer, "asked_at", days)
    _counts_of(FeedbackDay, days).delete()
    for dimension, column in COLUMNS.items():
        _insert(FeedbackDay, [*KEYS, "asked"], feedback_asked(invitations, dimension, column))
        _insert(
            FeedbackDay,
            [*KEYS, *ANSWER_COUNTS],
            feedback_answered(answers, dimension, column),
        )
    if days is None:
        _analyze(FeedbackDay)
    return days


def _one_by_one(days: set[date] | None) -> set[date] | None:
    """The days to count one by one; None (all at once) when there are too many."""
    return days if days is not None and len(days) <= MAX_DAYS_ONE_BY_ONE else None


def _on(model, field: str, days: set[date] | None) -> QuerySet:
    """The rows of a counted table (requests, invitations, answers) whose `field` falls on
    these local days (every row: None)."""
    rows = model.objects.all()
    return rows if days is None else on_days(rows, field, days)


def _counts_of(model, days: set[date] | None) -> QuerySet:
    """A day-count table's rows of these days (every row: None)."""
    rows = model.objects.all()
    return rows if days is None else rows.filter(day__in=days)


def _analyze(*models) -> None:
    if connection.vendor == "postgresql":
        tables = ", ".join(model._meta.db_table for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


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
