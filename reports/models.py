"""Reports read the other apps' tables; their only model carries the permission to read them."""

from django.db import models


class ReportAccess(models.Model):
    """No table: the permission "read the manager reports" (managers and supervisors)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can read the manager reports")]

    def __str__(self) -> str:
        return "reports"


class Dimension(models.TextChoices):
    ALL = "all"
    TYPE = "type"
    CHANNEL = "channel"
    CODE = "code"
    AGENT = "agent"


class RequestDay(models.Model):
    """The requests started on one local day with one value of one dimension (a request type,
    a channel, a problem code's id, an agent's id; "all" for every request), counted: what the
    volume and handling reports add up instead of reading a year of requests.
    Kept by reports.rollup, which counts a day again whenever its requests changed."""

    day = models.DateField()
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.CharField(max_length=40, blank=True)
    requests = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    first_contact = models.PositiveIntegerField(default=0)
    handling_seconds = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dimension", "day", "key"], name="request_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}: {self.requests}"


class HandlingDay(models.Model):
    """How many of a day's finished requests (of one dimension value) took between `bucket`
    and `bucket` + 10 seconds: the histogram medians are read from."""

    BUCKET_SECONDS = 10

    day = models.DateField()
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.CharField(max_length=40, blank=True)
    bucket = models.PositiveIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["dimension", "day"], name="handling_day_dimension")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key} {self.bucket}: {self.count}"


class FeedbackDay(models.Model):
    """The feedback invitations sent for the requests finished on one local day with one value
    of one dimension (as RequestDay's), and the answers to them however late they came,
    counted: what the feedback reports add up instead of reading a year of invitations and
    answers. Each day's value has up to two rows, added up like the days: its invitations'
    (`asked`) and its answers' (the rest). Kept by reports.rollup like RequestDay."""

    day = models.DateField()
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.CharField(max_length=40, blank=True)
    asked = models.PositiveIntegerField(db_default=0)
    answers = models.PositiveIntegerField(db_default=0)
    rated = models.PositiveIntegerField(db_default=0)  # satisfaction answers
    satisfied = models.PositiveIntegerField(db_default=0)  # of them 4 or 5
    effort_answers = models.PositiveIntegerField(db_default=0)
    effort_sum = models.PositiveIntegerField(db_default=0)
    recommend_answers = models.PositiveIntegerField(db_default=0)
    promoters = models.PositiveIntegerField(db_default=0)
    detractors = models.PositiveIntegerField(db_default=0)

    class Meta:
        indexes = [models.Index(fields=["dimension", "day"], name="feedback_day_dimension")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}: {self.asked} asked, {self.answers}"


class RollupState(models.Model):
    """Up to where the day counts are current: one row."""

    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"refreshed {self.refreshed_at}"
