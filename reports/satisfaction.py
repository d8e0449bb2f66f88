"""What customers answered after their request was finished, aggregated by the database:
CSAT (the share of satisfaction answers of 4 or 5), the customer effort score (the average ease,
1 to 7), NPS (promoters, 9-10, less detractors, 0-6, as a share of the recommendation answers),
the answers and the response rate (answers per invitation sent), beside first-contact
resolution. Invitations and answers are counted by when the customer was asked (the request's
finish); first-contact resolution by the requests started in the period (reports.rollup)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, DateField, F, Q, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.models import (
    DETRACTOR_UP_TO,
    PROMOTER_FROM,
    SATISFIED_FROM,
    FeedbackAnswer,
    FeedbackInvitation,
)
from reports.figures import BREAKDOWNS, NO_CODE_LABELS, NONE_LABEL, buckets, days_in, key_labels
from reports.models import Dimension
from reports.periods import Period
from requests_app.models import Channel, RequestType

# What the feedback can be broken down by, and the column of invitations and answers it groups
# on (both carry the request's type, channel, agent and problem code from its finish).
FEEDBACK_BREAKDOWNS = {
    "department": "problem_code__category__provider__department__name",
    "problem_code": "problem_code__code",
    "agent": "agent__username",
    "channel": "channel",
    "type": "request_type",
}
TREND_GRAINS = {"week": _("Week"), "month": _("Month")}


@dataclass
class FeedbackRow:
    """One group's counts; the figures are read from them (None where nothing was counted)."""

    label: str
    asked: int = 0
    answers: int = 0
    rated: int = 0  # satisfaction answers
    satisfied: int = 0  # of them 4 or 5
    effort_answers: int = 0
    effort_sum: int = 0
    recommend_answers: int = 0
    promoters: int = 0
    detractors: int = 0
    requests: int = 0  # started in the period (the totals only)
    finished: int = 0
    first_contact: int = 0

    @property
    def response_rate(self) -> float | None:
        return self.answers / self.asked if self.asked else None

    @property
    def csat(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def ces(self) -> float | None:
        return self.effort_sum / self.effort_answers if self.effort_answers else None

    @property
    def nps(self) -> float | None:
        """As a share, -1 to 1 (the page shows it in percent)."""
        if not self.recommend_answers:
            return None
        return (self.promoters - self.detractors) / self.recommend_answers

    @property
    def first_contact_rate(self) -> float | None:
        return self.first_contact / self.finished if self.finished else None

    def add(self, counts: dict) -> None:
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + (value or 0))


ANSWER_COUNTS = {
    "answers": Count("id"),
    "rated": Count("satisfaction"),
    "satisfied": Count("id", filter=Q(satisfaction__gte=SATISFIED_FROM)),
    "effort_answers": Count("effort"),
    "effort_sum": Sum("effort"),
    "recommend_answers": Count("recommend"),
    "promoters": Count("id", filter=Q(recommend__gte=PROMOTER_FROM)),
    "detractors": Count("id", filter=Q(recommend__lte=DETRACTOR_UP_TO)),
}


def asked_in(period: Period, agent=None):
    """The invitations sent for requests finished in the period."""
    found = FeedbackInvitation.objects.filter(
        asked_at__gte=period.start, asked_at__lt=period.end, sent_at__isnull=False
    )
    return found.filter(agent=agent) if agent is not None else found


def answered_in(period: Period, agent=None):
    """The answers to the invitations of the period (however late they came)."""
    found = FeedbackAnswer.objects.filter(asked_at__gte=period.start, asked_at__lt=period.end)
    return found.filter(agent=agent) if agent is not None else found


def feedback_by(period: Period, by: str) -> list[FeedbackRow]:
    """Per department, problem code, agent, channel or request type: the feedback figures and
    first-contact resolution, the groups with most answers first."""
    column = FEEDBACK_BREAKDOWNS[by]
    rows: dict[str, FeedbackRow] = {}

    def row(key) -> FeedbackRow:
        label = _group_label(by, key)
        return rows.setdefault(label, FeedbackRow(label))

    asked = asked_in(period).values(key=F(column)).annotate(asked=Count("id")).order_by()
    for counted in asked:
        row(counted.pop("key")).add(counted)
    answers = answered_in(period).values(key=F(column)).annotate(**ANSWER_COUNTS).order_by()
    for counted in answers:
        row(counted.pop("key")).add(counted)
    for label, counts in _first_contact_by(period, by).items():
        if label in rows:
            rows[label].add(counts)
    return sorted(rows.values(), key=lambda item: (-item.answers, -item.asked, item.label))


def feedback_total(period: Period, agent=None) -> FeedbackRow:
    """Every answer of the period (one agent's, if given), with the requests started in it and
    their first-contact resolution."""
    total = FeedbackRow(str(_("All")))
    total.add({"asked": asked_in(period, agent).count()})
    total.add(answered_in(period, agent).aggregate(**ANSWER_COUNTS))
    days = (
        days_in(period, Dimension.ALL)
        if agent is None
        else days_in(period, Dimension.AGENT).filter(key=str(agent.pk))
    )
    total.add(
        days.aggregate(
            requests=Sum("requests"), finished=Sum("finished"), first_contact=Sum("first_contact")
        )
    )
    return total


@dataclass
class Trend:
    grain: str
    rows: list[tuple[date, FeedbackRow]] = field(default_factory=list)


def feedback_trend(period: Period, grain: str) -> Trend:
    """The feedback figures and first-contact resolution per week (from its Monday) or month."""
    tz = timezone.get_current_timezone()
    bucket = Trunc("asked_at", grain, output_field=DateField(), tzinfo=tz)
    rows: dict[date, FeedbackRow] = defaultdict(lambda: FeedbackRow(""))
    for counted in asked_in(period).values(bucket=bucket).annotate(asked=Count("id")).order_by():
        rows[counted.pop("bucket")].add(counted)
    answers = answered_in(period).values(bucket=bucket).annotate(**ANSWER_COUNTS).order_by()
    for counted in answers:
        rows[counted.pop("bucket")].add(counted)
    days = (
        days_in(period, Dimension.ALL)
        .values(bucket=Trunc("day", grain, output_field=DateField()))
        .annotate(finished=Sum("finished"), first_contact=Sum("first_contact"))
        .order_by()
    )
    for counted in days:
        rows[counted.pop("bucket")].add(counted)
    return Trend(grain, [(start, rows[start]) for start in buckets(period, grain)])


def _group_label(by: str, key) -> str:
    if key in (None, ""):
        return str(NO_CODE_LABELS.get(by, NONE_LABEL))
    if by == "channel":
        return str(Channel(key).label)
    if by == "type":
        return str(RequestType(key).label)
    return str(key)


def _first_contact_by(period: Period, by: str) -> dict[str, dict]:
    """First-contact resolution of the requests started in the period, per group label (the
    day counts of reports.rollup, keyed by problem code, agent, channel or type)."""
    dimension = BREAKDOWNS[by][1]
    sums = (
        days_in(period, dimension)
        .values("key")
        .annotate(finished=Sum("finished"), first_contact=Sum("first_contact"))
        .order_by()
    )
    sums = list(sums)
    labels = key_labels(by, {row["key"] for row in sums})
    found: dict[str, dict] = defaultdict(lambda: {"finished": 0, "first_contact": 0})
    for row in sums:
        label = labels[row["key"]]
        found[label]["finished"] += row["finished"] or 0
        found[label]["first_contact"] += row["first_contact"] or 0
    return found
