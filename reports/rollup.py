"""Day counts: what the volume and handling reports add up, so that a year is a few thousand
rows instead of a million requests (docs/benchmarks.md, "Reports").

Each local day has, per dimension value (RequestDay), its requests, finished requests, those
resolved in the first contact and their handling seconds, and (HandlingDay) how many finished
requests took how long, in 10-second steps, for the medians.

This module says what is counted (grouped SELECTs) and how current the counts are; it writes
nothing. reports.services writes the counts, called by the task worker (reports.tasks) after a
service changed requests, and by `manage.py refresh_reports`. A report only reads them.
"""

from datetime import date, datetime, timedelta

from django.db.models import CharField, Count, F, FloatField, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Floor, Round, TruncDate
from django.utils import timezone

from callcenter.days import local_midnight
from reports.models import Dimension, HandlingDay, RollupState
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

COUNTED = ["requests", "finished", "first_contact", "handling_seconds"]
_FINISHED = Q(finished_at__isnull=False)


def refreshed_at() -> datetime | None:
    """When the last count began (None: never counted)."""
    return RollupState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


def figures_as_of(now: datetime | None = None) -> datetime | None:
    """Up to when the day counts hold every change: now, if no request changed since the last
    count began; when it began, if some did (the task worker has them still to count); None
    before the first count. Two indexed reads (CustomerRequest.updated_at)."""
    counted = refreshed_at()
    if counted is None:
        return None
    if CustomerRequest.objects.filter(updated_at__gte=counted).exists():
        return counted
    return now or timezone.now()


def changed_days(since: datetime) -> set[date]:
    """The local days of the requests changed since `since`, less the margin for saves that
    commit late."""
    return set(
        CustomerRequest.objects.filter(updated_at__gte=since - MARGIN)
        .annotate(day=local_day())
        .values_list("day", flat=True)
        .distinct()
    )


def local_day():
    return TruncDate("started_at", tzinfo=timezone.get_current_timezone())


def started_on(days: set[date]) -> QuerySet:
    """The requests started on these local days, by ranges the started_at index serves."""
    started = Q()
    for day in days:
        started |= Q(
            started_at__gte=local_midnight(day),
            started_at__lt=local_midnight(day + timedelta(days=1)),
        )
    return CustomerRequest.objects.filter(started)


def _grouped(requests: QuerySet, dimension: str, column: str | None) -> QuerySet:
    key = Coalesce(Cast(F(column), CharField()), Value("")) if column else Value("")
    return requests.annotate(
        day=local_day(),
        dimension=Value(dimension, output_field=CharField()),
        key=key,
    )


def counts(requests: QuerySet, dimension: str, column: str | None) -> QuerySet:
    """RequestDay's rows of these requests, in the order day, dimension, key, *COUNTED."""
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


def histogram(requests: QuerySet, dimension: str, column: str | None) -> QuerySet:
    """HandlingDay's rows of these requests, in the order day, dimension, key, bucket, count."""
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
