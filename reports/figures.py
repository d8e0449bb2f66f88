"""The call center's figures, each aggregated by the database. Periods are whole local days
(reports.periods); buckets and ages are counted in the configured time zone. Volume and handling
add up the day counts of reports.rollup (a year is a few thousand rows); the backlog, work
orders, knowledge base and dashboards count their tables directly, through indexes."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Count, DateField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import ExtractHour, Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hierarchy.models import ProblemCode
from knowledgebase.models import FailedSearch
from reports.models import Dimension, HandlingDay, RequestDay
from reports.periods import Period
from requests_app.models import Channel, ConsultedArticle, CustomerRequest, RequestType, Status
from workorders.models import ACTIVE, WorkOrder, WorkOrderStatus

GRAINS = {"day": _("Day"), "week": _("Week"), "month": _("Month")}

# What the volume can be broken down by: its label, the day counts' dimension, and how a
# dimension's key (a value, or a problem code's or agent's id) becomes the label shown.
BREAKDOWNS = {
    "type": (_("Request type"), Dimension.TYPE),
    "channel": (_("Channel"), Dimension.CHANNEL),
    "department": (_("Department"), Dimension.CODE),
    "provider": (_("Service provider"), Dimension.CODE),
    "category": (_("Service category"), Dimension.CODE),
    "problem_code": (_("Problem code"), Dimension.CODE),
    "agent": (_("Agent"), Dimension.AGENT),
}
# The volume table shows the largest groups as columns and adds up the rest.
MAX_COLUMNS = 8
NONE_LABEL = _("(none)")
# Requests without a problem code are the information and comment requests (and action requests
# not yet given one): say so rather than "(none)", which read as lost data.
NO_CODE_LABELS = {
    "department": _("No department: information and comment requests"),
    "provider": _("No service provider: information and comment requests"),
    "category": _("No service category: information and comment requests"),
    "problem_code": _("No problem code: information and comment requests"),
}
OTHER_LABEL = _("Other")


def requests_in(period: Period):
    return CustomerRequest.objects.filter(started_at__gte=period.start, started_at__lt=period.end)


def days_in(period: Period, dimension: str):
    """The period's day counts of one dimension, as the task worker last counted them
    (reports.rollup; how current they are: rollup.figures_as_of). Reading writes nothing."""
    return RequestDay.objects.filter(
        dimension=dimension, day__gte=period.first_day, day__lte=period.last_day
    )


def key_labels(by: str, keys: set[str]) -> dict[str, str]:
    """What each key of a breakdown is called: a type's or channel's label, an agent's
    username, a problem code's code or its category, provider or department."""
    labels = {"": str(NO_CODE_LABELS.get(by, NONE_LABEL))}
    ids = [int(key) for key in keys if key.isdigit()]
    if by == "type":
        labels.update(RequestType.choices)
    elif by == "channel":
        labels.update(Channel.choices)
    elif by == "agent":
        users = get_user_model().objects.filter(pk__in=ids)
        labels.update((str(pk), name) for pk, name in users.values_list("pk", "username"))
    else:
        name = {
            "problem_code": "code",
            "category": "category__name",
            "provider": "category__provider__name",
            "department": "category__provider__department__name",
        }[by]
        codes = ProblemCode.objects.filter(pk__in=ids).values_list("pk", name)
        labels.update((str(pk), label) for pk, label in codes)
    return {key: str(labels.get(key, key)) for key in keys}


# Volume ------------------------------------------------------------------------------------------


@dataclass
class VolumeTable:
    grain: str
    by_label: str
    columns: list[str]
    rows: list[tuple[date, list[int], int]]  # bucket, a count per column, total
    column_totals: list[int]
    total: int


def volume(period: Period, grain: str = "day", by: str = "type") -> VolumeTable:
    """Requests started per day, week or month, per value of the breakdown."""
    by_label, dimension = BREAKDOWNS[by]
    bucket = F("day") if grain == "day" else Trunc("day", grain, output_field=DateField())
    counted = list(
        days_in(period, dimension)
        .annotate(bucket=bucket)
        .values("bucket", "key")
        .annotate(count=Sum("requests"))
        .order_by()
    )
    labels = key_labels(by, {row["key"] for row in counted})
    cells: dict[tuple[date, str], int] = defaultdict(int)
    totals_by_value: dict[str, int] = defaultdict(int)
    for row in counted:
        value = labels[row["key"]]
        cells[row["bucket"], value] += row["count"]
        totals_by_value[value] += row["count"]
    ranked = sorted(totals_by_value, key=lambda value: (-totals_by_value[value], value))
    columns = ranked[:MAX_COLUMNS]
    rest = ranked[MAX_COLUMNS:]
    if rest:
        columns.append(str(OTHER_LABEL))
    rows = []
    for start in buckets(period, grain):
        counts = [cells[start, value] for value in columns[:MAX_COLUMNS]]
        if rest:
            counts.append(sum(cells[start, value] for value in rest))
        rows.append((start, counts, sum(counts)))
    column_totals = [sum(row[1][index] for row in rows) for index in range(len(columns))]
    return VolumeTable(grain, str(by_label), columns, rows, column_totals, sum(column_totals))


def buckets(period: Period, grain: str) -> list[date]:
    """Every day, week (from its Monday) or month (from its first day) the period touches."""
    if grain == "week":
        first = period.first_day - timedelta(days=period.first_day.weekday())
        step = timedelta(days=7)
    elif grain == "month":
        first = period.first_day.replace(day=1)
        step = None
    else:
        first, step = period.first_day, timedelta(days=1)
    found, day = [], first
    while day <= period.last_day:
        found.append(day)
        day = _next_month(day) if step is None else day + step
    return found


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


# Handling time and first-contact resolution ------------------------------------------------------


@dataclass
class HandlingRow:
    label: str
    requests: int
    finished: int
    handling_seconds: float
    median_seconds: float | None
    first_contact: int

    @property
    def average_seconds(self) -> float | None:
        return self.handling_seconds / self.finished if self.finished else None

    @property
    def first_contact_rate(self) -> float | None:
        return self.first_contact / self.finished if self.finished else None


def handling(period: Period, by: str) -> list[HandlingRow]:
    """Per request type or agent: requests, finished contacts, their average and median
    handling time, and how many were resolved in the first contact."""
    dimension = BREAKDOWNS[by][1]
    sums = list(
        days_in(period, dimension)
        .values("key")
        .annotate(
            requests=Sum("requests"),
            finished=Sum("finished"),
            first_contact=Sum("first_contact"),
            handling_seconds=Sum("handling_seconds"),
        )
        .order_by()
    )
    medians = median_seconds(period, dimension)
    labels = key_labels(by, {row["key"] for row in sums})
    rows = [
        HandlingRow(
            labels[row["key"]],
            row["requests"],
            row["finished"],
            row["handling_seconds"],
            medians.get(row["key"]),
            row["first_contact"],
        )
        for row in sums
    ]
    return sorted(rows, key=lambda row: (-row.requests, row.label))


def handling_total(period: Period) -> HandlingRow:
    total = days_in(period, Dimension.ALL).aggregate(
        requests=Sum("requests"),
        finished=Sum("finished"),
        first_contact=Sum("first_contact"),
        handling_seconds=Sum("handling_seconds"),
    )
    return HandlingRow(
        str(_("All")),
        total["requests"] or 0,
        total["finished"] or 0,
        total["handling_seconds"] or 0.0,
        median_seconds(period, Dimension.ALL).get(""),
        total["first_contact"] or 0,
    )


def median_seconds(period: Period, dimension: str) -> dict[str, float]:
    """Per key, the median handling time from the 10-second histogram: exact to within 5
    seconds (the middle of the step the median falls in)."""
    counted = (
        HandlingDay.objects.filter(
            dimension=dimension, day__gte=period.first_day, day__lte=period.last_day
        )
        .values("key", "bucket")
        .annotate(count=Sum("count"))
        .order_by("key", "bucket")
    )
    histograms: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in counted:
        histograms[row["key"]].append((row["bucket"], row["count"]))
    return {key: _median(steps) for key, steps in histograms.items()}


def _median(steps: list[tuple[int, int]]) -> float:
    """The median of a histogram of (10-second step, count), as the middles of the steps."""
    total = sum(count for _step, count in steps)
    middle = [(total - 1) // 2, total // 2]  # the one or two middle positions, from 0
    values, seen = [], 0
    for step, count in steps:
        while middle and middle[0] < seen + count:
            values.append((step + 0.5) * HandlingDay.BUCKET_SECONDS)
            middle.pop(0)
        seen += count
    return sum(values) / len(values)


# Backlog -----------------------------------------------------------------------------------------

AGES = [
    (1, _("Under a day")),
    (3, _("1 to 3 days")),
    (7, _("3 to 7 days")),
    (30, _("7 to 30 days")),
    (None, _("Over 30 days")),
]


@dataclass
class Backlog:
    ages: list[str]
    rows: list[tuple[str, list[int], int]]  # status, a count per age, total
    overdue_follow_ups: int


def backlog(now: datetime | None = None) -> Backlog:
    """Requests still open or waiting for a follow-up, by status and age, now."""
    now = now or timezone.now()
    whens = [
        When(started_at__gt=now - timedelta(days=days), then=Value(index))
        for index, (days, _label) in enumerate(AGES)
        if days is not None
    ]
    age = Case(*whens, default=Value(len(AGES) - 1), output_field=IntegerField())
    waiting = [Status.OPEN, Status.FOLLOW_UP]
    counted = (
        CustomerRequest.objects.filter(status__in=waiting)
        .annotate(age=age)
        .values("status", "age")
        .annotate(count=Count("id"))
        .order_by()
    )
    cells = {(row["status"], row["age"]): row["count"] for row in counted}
    rows = []
    for status in waiting:
        counts = [cells.get((status, index), 0) for index in range(len(AGES))]
        rows.append((Status(status).label, counts, sum(counts)))
    overdue = CustomerRequest.objects.filter(status=Status.FOLLOW_UP, follow_up_due__lt=now).count()
    return Backlog([str(label) for _days, label in AGES], rows, overdue)


# Work orders -------------------------------------------------------------------------------------


@dataclass
class WorkOrderRow:
    provider: str
    opened: int
    completed: int
    on_time: int
    overdue: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.completed if self.completed else None


def work_orders_by_provider(period: Period, now: datetime | None = None) -> list[WorkOrderRow]:
    """Per responsible provider: work orders opened and completed in the period, those completed
    by their due date, and those overdue now."""
    now = now or timezone.now()
    opened = Q(created_at__gte=period.start, created_at__lt=period.end)
    completed = Q(
        status=WorkOrderStatus.COMPLETED, closed_at__gte=period.start, closed_at__lt=period.end
    )
    on_time = completed & (Q(due_at__isnull=True) | Q(closed_at__lte=F("due_at")))
    overdue = Q(status__in=ACTIVE, due_at__lt=now)
    rows = (
        WorkOrder.objects.filter(opened | completed | overdue)
        .values("provider__name")
        .annotate(
            opened=Count("id", filter=opened),
            completed=Count("id", filter=completed),
            on_time=Count("id", filter=on_time),
            overdue=Count("id", filter=overdue),
        )
        .order_by("provider__name")
    )
    return [
        WorkOrderRow(
            row["provider__name"], row["opened"], row["completed"], row["on_time"], row["overdue"]
        )
        for row in rows
    ]


# Knowledge base ----------------------------------------------------------------------------------


def most_used_articles(period: Period, limit: int = 20) -> list[dict]:
    """The articles opened from requests most often in the period; `language` is the name of
    the article's language in the reader's language, not its code."""
    names = dict(settings.LANGUAGES)
    rows = list(
        ConsultedArticle.objects.filter(consulted_at__gte=period.start, consulted_at__lt=period.end)
        .values("article_id", "article__title", "article__language")
        .annotate(uses=Count("id"))
        .order_by("-uses", "article__title")[:limit]
    )
    for row in rows:
        code = row["article__language"]
        row["language"] = str(names[code]) if code in names else code
    return rows


def failed_searches(period: Period, limit: int = 20):
    """Searches that found nothing, last made in the period, the most frequent first. (Counts
    are totals since the search first failed: the knowledge base keeps no daily counts.)"""
    return list(
        FailedSearch.objects.filter(
            last_searched_at__gte=period.start, last_searched_at__lt=period.end
        ).order_by("-count", "text")[:limit]
    )


# Dashboards --------------------------------------------------------------------------------------


@dataclass
class HourlyVolume:
    hours: list[int]
    today: list[int]
    last_week: list[int]


def volume_by_hour(day: date) -> HourlyVolume:
    """Requests per hour of the local day, and of the same weekday a week before."""

    def per_hour(some_day: date) -> list[int]:
        counted = (
            requests_in(Period(some_day, some_day))
            .annotate(hour=ExtractHour("started_at", tzinfo=timezone.get_current_timezone()))
            .values("hour")
            .annotate(count=Count("id"))
            .order_by()
        )
        by_hour = {row["hour"]: row["count"] for row in counted}
        return [by_hour.get(hour, 0) for hour in range(24)]

    return HourlyVolume(list(range(24)), per_hour(day), per_hour(day - timedelta(days=7)))
