"""What Open311 shows: the public services and the requests made for them, and the filters of
GET requests as the specification defines them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from callcenter.inputs import EARLIEST_DAY, LATEST_DAY, without_control_characters
from hierarchy.models import ProblemCode
from open311.models import ServiceAttribute
from requests_app.models import CustomerRequest, RequestType, Status

# The specification's defaults: the last 90 days, at most 1,000 requests.
DEFAULT_DAYS = 90
MAX_DAYS = 90
MAX_REQUESTS = 1_000
STATUSES = {
    "open": [Status.OPEN, Status.FOLLOW_UP],
    "closed": [Status.RESOLVED, Status.CLOSED],
}


def public_services() -> QuerySet[ProblemCode]:
    """The codes an administrator marked public, while they can be picked at the desk."""
    return (
        ProblemCode.objects.usable()
        .filter(is_public=True)
        .select_related("category")
        .prefetch_related(Prefetch("open311_attributes", ServiceAttribute.objects.all()))
        .order_by("code")
    )


def public_service(code: str) -> ProblemCode | None:
    return public_services().filter(code__iexact=searchable(code)).first()


def searchable(text: str) -> str:
    """A looked-up value as the database can compare it (PostgreSQL refuses NUL): control
    characters become spaces, which no code, number or token has, so nothing is found."""
    return without_control_characters(text)


def public_codes() -> dict[int, ProblemCode]:
    """Every code marked public, with its department, by id: a list's few dozen codes are read
    once, not joined to each of a thousand rows."""
    codes = ProblemCode.objects.filter(is_public=True).select_related(
        "category__provider__department"
    )
    return {code.pk: code for code in codes}


# What a request shows of itself, its work order and its web report: plain values, because a
# thousand model instances with their relations took longer than the query.
REQUEST_FIELDS = [
    "number",
    "status",
    "started_at",
    "updated_at",
    "work_address",
    "problem_code_id",
    "work_order__number",
    "work_order__status",
    "work_order__due_at",
    "work_order__latitude",
    "work_order__longitude",
    "web_report__id",
    "web_report__description",
    "web_report__latitude",
    "web_report__longitude",
    "web_report__media_url",
]


def visible_requests(codes: dict[int, ProblemCode]) -> QuerySet:
    """Action requests for public services (`codes`), from every channel (a problem phoned in
    is as public as one posted), newest first, as REQUEST_FIELDS; never the discarded ones."""
    return (
        CustomerRequest.objects.filter(
            request_type=RequestType.ACTION,
            discarded_at__isnull=True,
            problem_code__in=list(codes),
        )
        .order_by("-started_at", "-id")
        .values(*REQUEST_FIELDS)
    )


class FilterError(ValueError):
    """A parameter of GET requests that cannot be read; the message names it."""


@dataclass(frozen=True)
class RequestFilter:
    numbers: list[str]
    codes: list[str]
    statuses: list[str]
    start: datetime
    end: datetime

    @classmethod
    def from_query(cls, query, now: datetime) -> "RequestFilter":
        start = _moment(query, "start_date")
        end = _moment(query, "end_date")
        if start is None and end is None:
            end = now
        if start is None:
            start = end - timedelta(days=DEFAULT_DAYS)
        if end is None:
            end = start + timedelta(days=DEFAULT_DAYS)
        if end < start:
            raise FilterError("end_date is before start_date.")
        if end - start > timedelta(days=MAX_DAYS):
            raise FilterError(f"start_date and end_date may not span more than {MAX_DAYS} days.")
        statuses = _listed(query, "status")
        unknown = [status for status in statuses if status not in STATUSES]
        if unknown:
            raise FilterError(f"status may be open or closed, not {unknown[0]!r}.")
        return cls(
            numbers=_listed(query, "service_request_id"),
            codes=[code.upper() for code in _listed(query, "service_code")],
            statuses=[internal for status in statuses for internal in STATUSES[status]],
            start=start,
            end=end,
        )

    def apply(self, requests: QuerySet[CustomerRequest]) -> QuerySet[CustomerRequest]:
        """service_request_id overrides the other parameters, as the specification says."""
        if self.numbers:
            return requests.filter(number__in=self.numbers)[:MAX_REQUESTS]
        requests = requests.filter(started_at__gte=self.start, started_at__lte=self.end)
        if self.codes:
            requests = requests.filter(problem_code__code__in=self.codes)
        if self.statuses:
            requests = requests.filter(status__in=self.statuses)
        return requests[:MAX_REQUESTS]


def _listed(query, name: str) -> list[str]:
    """A comma-separated parameter, also when sent more than once; empty entries dropped."""
    return [
        searchable(item).strip()
        for value in query.getlist(name)
        for item in value.split(",")
        if searchable(item).strip()
    ][:MAX_REQUESTS]


def _moment(query, name: str) -> datetime | None:
    text = query.get(name, "").strip()
    if not text:
        return None
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None or not EARLIEST_DAY <= value.date() <= LATEST_DAY:
        raise FilterError(f"{name} is not a date and time such as 2026-12-01T00:00:00Z.")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value
