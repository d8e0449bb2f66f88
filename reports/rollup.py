"""Day counts: what the volume, handling and feedback reports add up, so that a year is a few
thousand rows instead of a million requests (docs/benchmarks.md, "Reports").

Each local day has, per dimension value (RequestDay), its requests, finished requests, those
resolved in the first contact and their handling seconds, (HandlingDay) how many finished
requests took how long, in 10-second steps, for the medians, and (FeedbackDay) the feedback
invitations sent for the requests finished that day and the answers to them.

This module says what is counted (grouped SELECTs) and how current the counts are; it writes
nothing. reports.services writes the counts, called by the task worker (reports.tasks) after a
service changed requests, and by `manage.py refresh_reports`. A report only reads them.
"""

from datetime import date, datetime, timedelta

from django.db.models import CharField, Count, F, FloatField, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Floor, Round, TruncDate
from django.utils import timezone

from callcenter.days import local_midnight
from feedback.models import (
    DETRACTOR_UP_TO,
    PROMOTER_FROM,
    SATISFIED_FROM,
    FeedbackAnswer,
    FeedbackInvitation,
)
from reports.models import Dimension, HandlingDay, RollupState
from reports.sql import SecondsBetween
from requests_app.models import CustomerRequest

# The column each dimension groups on; ALL groups on nothing. Invitations and answers carry the
# same columns (the request's, as it was finished).
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
# FeedbackDay's counts of answers; its invitations' is "asked".
ANSWER_COUNTS = {
    "answers": Count("id"),
    "rated": Count("satisfaction"),
    "satisfied": Count("id", filter=Q(satisfaction__gte=SATISFIED_FROM)),
    "effort_answers": Count("effort"),
    "effort_sum": Coalesce(Sum("effort"), Value(0)),
    "recommend_answers": Count("recommend"),
    "promoters": Count("id", filter=Q(recommend__gte=PROMOTER_FROM)),
    "detractors": Count("id", filter=Q(recommend__lte=DETRACTOR_UP_TO)),
}
FEEDBACK_COUNTED = ["asked", *ANSWER_COUNTS]


def refreshed_at() -> datetime | None:
    """When the last count began (None: never counted)."""
    return RollupState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


def figures_as_of(now: datetime | None = None) -> datetime | None:
    """Up to when the day counts hold every change: now, if no request, invitation or answer
    changed since the last count began; when it began, if one did (the task worker has it
    still to count); None before the first count. Indexed reads: the state, then one per
    table of CHANGES."""
    counted = refreshed_at()
    if counted is None:
        return None
    if any(
        model.objects.filter(**{f"{changed}__gte": counted}).exists()
        for model, changed, _day_of in CHANGES
    ):
        return counted
    return now or timezone.now()


# What a change to the counts leaves behind, and the moment whose day it changes: a request its
# updated_at (its start's day), an invitation its sending (only a sent one is counted; the day
# its request was finished), an answer its moment (the same day).
REQUEST_CHANGES = (CustomerRequest, "updated_at", "started_at")
INVITATION_CHANGES = (FeedbackInvitation, "sent_at", "asked_at")
ANSWER_CHANGES = (FeedbackAnswer, "answered_at", "asked_at")
CHANGES = [REQUEST_CHANGES, INVITATION_CHANGES, ANSWER_CHANGES]


def changed_days(since: datetime) -> set[date]:
    """The local days of the requests changed since `since`, less the margin for saves that
    commit late."""
    return _days_changed(*REQUEST_CHANGES, since)


def feedback_changed_days(since: datetime) -> set[date]:
    """The local days of the finished requests whose invitations were sent or answered since
    `since`, less the margin."""
    return _days_changed(*INVITATION_CHANGES, since) | _days_changed(*ANSWER_CHANGES, since)


def _days_changed(model, changed: str, day_of: str, since: datetime) -> set[date]:
    return set(
        model.objects.filter(**{f"{changed}__gte": since - MARGIN})
        .annotate(day=local_day(day_of))
        .values_list("day", flat=True)
        .distinct()
    )


def local_day(field: str = "started_at"):
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def on_days(rows: QuerySet, field: str, days: set[date]) -> QuerySet:
    """The rows whose `field` falls on these local days, by ranges its index serves."""
    within = Q()
    for day in days:
        within |= Q(
            **{
                f"{field}__gte": local_midnight(day),
                f"{field}__lt": local_midnight(day + timedelta(days=1)),
            }
        )
    return rows.filter(within)


def _grouped(
    rows: QuerySet, dimension: str, column: str | None, day_of: str = "started_at"
) -> QuerySet:
    key = Coalesce(Cast(F(column), CharField()), Value("")) if column else Value("")
    return rows.annotate(
        day=local_day(day_of),
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


def feedback_asked(invitations: QuerySet, dimension: str, column: str | None) -> QuerySet:
    """FeedbackDay's rows of these invitations (the sent ones), in the order day, dimension,
    key, asked."""
    return (
        _grouped(invitations.filter(sent_at__isnull=False), dimension, column, "asked_at")
        .values("day", "dimension", "key")
        .annotate(asked=Count("id"))
        .order_by()
    )


def feedback_answered(answers: QuerySet, dimension: str, column: str | None) -> QuerySet:
    """FeedbackDay's rows of these answers, in the order day, dimension, key, *ANSWER_COUNTS."""
    return (
        _grouped(answers, dimension, column, "asked_at")
        .values("day", "dimension", "key")
        .annotate(**ANSWER_COUNTS)
        .order_by()
    )
