"""What customers answered after their request was finished, aggregated by the database:
CSAT (the share of satisfaction answers of 4 or 5), the customer effort score (the average ease,
1 to 7), NPS (promoters, 9-10, less detractors, 0-6, as a share of the recommendation answers),
the answers and the response rate (answers per invitation sent), beside first-contact
resolution. Invitations and answers are counted by when the customer was asked (the request's
finish); first-contact resolution by the requests started in the period. Both are read from the
day counts (reports.rollup), a year of days instead of a year of answers."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import DateField, Sum
from django.db.models.functions import Trunc
from django.utils.translation import gettext_lazy as _

from reports.figures import BREAKDOWNS, buckets, days_in, key_labels
from reports.models import Dimension, FeedbackDay
from reports.periods import Period
from reports.rollup import FEEDBACK_COUNTED

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


COUNTED = [*FEEDBACK_COUNTED, "finished", "first_contact"]
SUMS = {name: Sum(name) for name in FEEDBACK_COUNTED}


def feedback_days_in(period: Period, dimension: str):
    """The period's feedback day counts of one dimension (reports.rollup), as days_in's."""
    return FeedbackDay.objects.filter(
        dimension=dimension, day__gte=period.first_day, day__lte=period.last_day
    )


def feedback_figures(period: Period, by: str, grain: str) -> tuple[list[FeedbackRow], "Trend"]:
    """Per department, problem code, agent, channel or request type (the groups with most
    answers first), and per week (from its Monday) or month: the feedback figures and
    first-contact resolution. The feedback's day counts are read once, grouped by both."""
    bucket = Trunc("day", grain, output_field=DateField())
    counted = list(
        feedback_days_in(period, BREAKDOWNS[by][1])
        .values("key", bucket=bucket)
        .annotate(**SUMS)
        .order_by()
    )
    labels = key_labels(by, {row["key"] for row in counted})
    groups: dict[str, FeedbackRow] = {}
    buckets_seen: dict[date, FeedbackRow] = defaultdict(lambda: FeedbackRow(""))
    for row in counted:
        label = labels[row.pop("key")]
        when = row.pop("bucket")
        groups.setdefault(label, FeedbackRow(label)).add(row)
        buckets_seen[when].add(row)
    for label, counts in _first_contact_by(period, by).items():
        if label in groups:
            groups[label].add(counts)
    days = (
        days_in(period, Dimension.ALL)
        .values(bucket=Trunc("day", grain, output_field=DateField()))
        .annotate(finished=Sum("finished"), first_contact=Sum("first_contact"))
        .order_by()
    )
    for counted in days:
        buckets_seen[counted.pop("bucket")].add(counted)
    ranked = sorted(groups.values(), key=lambda item: (-item.answers, -item.asked, item.label))
    trend = Trend(grain, [(start, buckets_seen[start]) for start in buckets(period, grain)])
    return ranked, trend


def feedback_total(period: Period, agent=None) -> FeedbackRow:
    """Every answer of the period (one agent's, if given), with the requests started in it and
    their first-contact resolution."""
    total = FeedbackRow(str(_("All")))
    if agent is None:
        feedback, days = feedback_days_in(period, Dimension.ALL), days_in(period, Dimension.ALL)
    else:
        feedback = feedback_days_in(period, Dimension.AGENT).filter(key=str(agent.pk))
        days = days_in(period, Dimension.AGENT).filter(key=str(agent.pk))
    total.add(feedback.aggregate(**SUMS))
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

    def total(self) -> FeedbackRow:
        """The whole period's figures: its buckets added up (each invitation, answer and
        day count is in one bucket), without reading them again."""
        total = FeedbackRow(str(_("All")))
        for _start, row in self.rows:
            total.add({name: getattr(row, name) for name in COUNTED})
        return total


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
