"""Feedback from customers after their request was finished: which requests ask for it
(FeedbackSetting), who said no (FeedbackOptOut), each e-mail asking (FeedbackInvitation) and
its answer (FeedbackAnswer). Written by feedback.services only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hierarchy.models import ProblemCode
from requests_app.models import Channel, Customer, CustomerRequest, RequestType

# A customer is asked at most once in this many days.
ASK_AGAIN_AFTER_DAYS = 30
# A survey link can be answered for this many days after it was sent.
ANSWER_WITHIN_DAYS = 14
COMMENT_TEXT = 2_000

SATISFACTION = range(1, 6)  # 1 very dissatisfied … 5 very satisfied
EFFORT = range(1, 8)  # 1 very difficult … 7 very easy
RECOMMEND = range(0, 11)  # 0 not at all likely … 10 extremely likely
SATISFIED_FROM = 4  # CSAT: the share of 4 and 5
PROMOTER_FROM = 9  # NPS: 9 and 10 promote, 0 to 6 detract
DETRACTOR_UP_TO = 6


class FeedbackSetting(models.Model):
    """Through which channels a request type's customers are asked for feedback once it is
    finished. A type without a row asks nobody."""

    request_type = models.CharField(
        _("Request type"), max_length=12, choices=RequestType.choices, unique=True
    )
    channels = models.JSONField(_("Channels"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("feedback setting")
        verbose_name_plural = _("feedback settings")
        ordering = ["request_type"]

    def __str__(self) -> str:
        return self.get_request_type_display()

    @classmethod
    def for_type(cls, request_type: str) -> "FeedbackSetting":
        """The type's saved setting, or an unsaved one that asks nobody."""
        return cls.objects.filter(request_type=request_type).first() or cls(
            request_type=request_type, channels=[]
        )

    def asks(self, channel: str) -> bool:
        return channel in self.channels


class FeedbackOptOut(models.Model):
    """A customer who said "don't ask me again"."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="feedback_opt_out"
    )
    created_at = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("feedback opt-out")
        verbose_name_plural = _("feedback opt-outs")

    def __str__(self) -> str:
        return str(self.customer_id)


class FeedbackInvitation(models.Model):
    """A customer asked, by e-mail, how their finished request went: one per request at most.
    The request's type, channel, agent and problem code are kept as they were when it was
    finished, for the reports."""

    request = models.OneToOneField(
        CustomerRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="feedback_invitation",
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="feedback_invitations"
    )
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    request_type = models.CharField(max_length=12, choices=RequestType.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    problem_code = models.ForeignKey(
        ProblemCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("feedback invitation")
        verbose_name_plural = _("feedback invitations")
        indexes = [
            models.Index(fields=["customer", "-asked_at"], name="feedback_customer_asked"),
            # The reports read a year of invitations from the index alone (PostgreSQL).
            models.Index(
                fields=["asked_at"],
                include=["sent_at", "channel", "request_type", "agent", "problem_code"],
                name="feedback_asked",
            ),
            models.Index(fields=["agent", "asked_at"], name="feedback_agent_asked"),
            # The reports' day counts find the invitations sent since they last counted.
            models.Index(fields=["sent_at"], name="feedback_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.email}"


class FeedbackAnswer(models.Model):
    """What the customer answered: each scale may be left out, the comment is plain text. One
    per invitation (the database keeps the first). The invitation's moment and dimensions are
    copied here, so the reports read answers alone, through one index."""

    invitation = models.OneToOneField(
        FeedbackInvitation, on_delete=models.CASCADE, related_name="answer"
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("How satisfied are you with how we handled your request?"),
        null=True,
        blank=True,
        choices=[(value, str(value)) for value in SATISFACTION],
    )
    effort = models.PositiveSmallIntegerField(
        _("How easy was it to get your issue handled?"),
        null=True,
        blank=True,
        choices=[(value, str(value)) for value in EFFORT],
    )
    recommend = models.PositiveSmallIntegerField(
        _("How likely are you to recommend us to a friend or colleague?"),
        null=True,
        blank=True,
        choices=[(value, str(value)) for value in RECOMMEND],
    )
    comment = models.TextField(_("Comment"), blank=True, max_length=COMMENT_TEXT)
    answered_at = models.DateTimeField(_("answered"))
    # Copied from the invitation (see the class's docstring).
    asked_at = models.DateTimeField()
    request_type = models.CharField(max_length=12, choices=RequestType.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    problem_code = models.ForeignKey(
        ProblemCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        ordering = ["-answered_at", "-id"]
        indexes = [
            # The reports read a year of answers from the index alone (PostgreSQL).
            models.Index(
                fields=["asked_at"],
                include=[
                    "satisfaction",
                    "effort",
                    "recommend",
                    "channel",
                    "request_type",
                    "agent",
                    "problem_code",
                ],
                name="feedback_answer_asked",
            ),
            models.Index(fields=["agent", "asked_at"], name="feedback_answer_agent"),
            # The reports' day counts find the answers given since they last counted.
            models.Index(fields=["answered_at"], name="feedback_answered"),
            models.Index(
                fields=["-answered_at"],
                name="feedback_answer_commented",
                condition=~models.Q(comment=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.satisfaction}/{self.effort}/{self.recommend}"
