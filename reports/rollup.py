"""Day counts: what the volume and handling reports add up, so that a year is a few thousand
rows instead of a million requests (docs/benchmarks.md, "Reports").

Each local day has, per dimension value (RequestDay), its requests, finished requests, those
resolved in the first contact and their handling seconds, and (HandlingDay) how many finished
requests took how long, in 10-second steps, for the medians. Before a report reads them,
`bring_up_to_date()` counts again every day with a request that changed since the last time
(CustomerRequest.updated_at, indexed): the figures are never older than the page. The counting
is SQL (INSERT … SELECT … GROUP BY), never a loop over requests.
"""

from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import CharField, Count, F, FloatField, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Floor, Round, TruncDate
from django.utils import timezone

from callcenter.days import local_midnight
from reports.models import Dimension, HandlingDay, RequestDay, RollupState
from reports.sql import SecondsBetween
from requests_app.models import CustomerRequest

# The column each dimension groups on; ALL groups on nothing.
COLUMNS = {
    Dimension.ALL: None,
    Dimension.TYPE: "request_type",
    Dimension.CHANNEL: "channel",
    Dimension.CODE: "problem_code_id",
    Dimension.AGENT: "agent_id",
}
# Medians are asked for overall, by type and by agent.
HISTOGRAMS = [Dimension.ALL, Dimension.TYPE, Dimension.AGENT]
# A save that committed a moment after its updated_at was read is still caught.
MARGIN = timedelta(minutes=5)
# More changed days than this are counted again all at once.
MAX_DAYS_ONE_BY_ONE = 31


def bring_up_to_date() -> None:
    """Count again the days whose requests changed since the last time (all days the first
    time). One report at a time does it; the others wait for it, then find little to do."""
    with transaction.atomic():
        RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
        started = timezone.now()
        if state.refreshed_at is None:
            days = None
        else:
            days = set(
                CustomerRequest.objects.filter(updated_at__gte=state.refreshed_at - MARGIN)
                .annotate(day=local_day())
                .values_list("day", flat=True)
                .distinct()
            )
            if not days:
                return
        count_days(days)
        state.refreshed_at = started
        state.save(update_fields=["refreshed_at"])


def local_day():
    return TruncDate("started_at", tzinfo=timezone.get_current_timezone())


def count_days(days: set[date] | None) -> None:
    """Replace the counts of these days (of every day: None) with fresh ones."""
    requests = CustomerRequest.objects.all()
    counts, histograms = RequestDay.objects.all(), HandlingDay.objects.all()
    if days is not None and len(days) <= MAX_DAYS_ONE_BY_ONE:
        started_on = Q()
        for day in days:
            started_on |= Q(
                started_at__gte=local_midnight(day),
                started_at__lt=local_midnight(day + timedelta(days=1)),
            )
        requests = requests.filter(started_on)
        counts, histograms = counts.filter(day__in=days), histograms.filter(day__in=days)
    else:
        days = None
    counts.delete()
    histograms.delete()
    for dimension, column in COLUMNS.items():
        _insert(
            RequestDay, ["day", "dimension", "key", *_COUNTED], _counts(requests, dimension, column)
        )
    for dimension in HISTOGRAMS:
        _insert(
            HandlingDay,
            ["day", "dimension", "key", "bucket", "count"],
            _histogram(requests, dimension, COLUMNS[dimension]),
        )
    if days is None and connection.vendor == "postgresql":
        # Every row is new: without fresh statistics the planner sorts the histogram on disk
        # instead of hashing it (docs/benchmarks.md, "Reports").
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {RequestDay._meta.db_table}, {HandlingDay._meta.db_table}")


_COUNTED = ["requests", "finished", "first_contact", "handling_seconds"]
_FINISHED = Q(finished_at__isnull=False)


def _grouped(requests: QuerySet, dimension: str, column: str | None) -> QuerySet:
    key = Coalesce(Cast(F(column), CharField()), Value("")) if column else Value("")
    return requests.annotate(
        day=local_day(),
        dimension=Value(dimension, output_field=CharField()),
        key=key,
    )


def _counts(requests: QuerySet, dimension: str, column: str | None) -> QuerySet:
    seconds = SecondsBetween(F("started_at"), F("finished_at"))
    return (
        _grouped(requests, dimension, column)
        .values("day", "dimension", "key")
        .annotate(
            requests=Count("id"),
            finished=Count("id", filter=_FINISHED),
            first_contact=Count("id", filter=_FINISHED & Q(first_contact_resolution=True)),
            handling_seconds=Coalesce(
                Sum(seconds, filter=_FINISHED), Value(0.0), output_field=FloatField()
            ),
        )
        .order_by()
    )


def _histogram(requests: QuerySet, dimension: str, column: str | None) -> QuerySet:
    seconds = SecondsBetween(F("started_at"), F("finished_at"))
    return (
        _grouped(requests.filter(_FINISHED), dimension, column)
        .annotate(
            # Whole seconds first: SQLite's julianday() makes 60 s into 59.99999.
            bucket=Cast(
                Floor(Round(seconds) / HandlingDay.BUCKET_SECONDS), output_field=IntegerField()
            )
        )
        .values("day", "dimension", "key", "bucket")
        .annotate(count=Count("id"))
        .order_by()
    )


def _insert(model, columns: list[str], rows: QuerySet) -> None:
    """INSERT … SELECT: the grouped rows go from one table to the other inside the database.
    The SELECT's columns come in the order of `columns` (values() then annotate())."""
    sql, params = rows.query.sql_with_params()
    names = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in columns
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) {sql}", params)
