"""Work orders: the work a reported problem needs, created from the problem code's standard work
order. Many customer requests may point to one work order (requests_app's
CustomerRequest.work_order, reached here as `work_order.requests`)."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.history import FieldChange
from callcenter.inputs import ADDRESS_TEXT, LONG_TEXT, validate_moment
from hierarchy.models import Priority, ProblemCode, ServiceProvider


class WorkOrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which the work is still to be done: new reports of the problem link to it.
ACTIVE = [
    WorkOrderStatus.OPEN,
    WorkOrderStatus.ASSIGNED,
    WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.ON_HOLD,
]


class WorkOrderQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE)

    def overdue(self, now: datetime | None = None):
        return self.active().filter(due_at__lt=now or timezone.now())

    def for_list(self):
        return self.select_related("problem_code", "provider", "created_by")


class WorkOrder(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    problem_code = models.ForeignKey(
        ProblemCode,
        verbose_name=_("Problem code"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    title = models.CharField(_("title"), max_length=160)
    instructions = models.TextField(_("instructions"), blank=True, max_length=LONG_TEXT)
    trade = models.CharField(_("trade"), max_length=80, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    address = models.TextField(_("Work address"), max_length=ADDRESS_TEXT)
    # The address as compared for duplicates: workorders.addresses.address_key.
    address_key = models.CharField(max_length=200, editable=False)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    provider = models.ForeignKey(
        ServiceProvider,
        verbose_name=_("responsible provider"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    assignee = models.CharField(_("assignee or crew"), max_length=120, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, validators=[validate_moment])
    status = models.CharField(
        _("status"), max_length=12, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPEN
    )
    notes = models.TextField(_("notes"), blank=True, max_length=LONG_TEXT)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, max_length=LONG_TEXT)
    # Why the agent created this one although an open work order had the same problem and place.
    duplicate_reason = models.TextField(
        _("reason for a second work order"), blank=True, max_length=LONG_TEXT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open work order per problem at a place; a second one only with a reason.
            # Two agents saving the same report at the same moment meet here.
            models.UniqueConstraint(
                fields=["problem_code", "address_key"],
                condition=models.Q(status__in=ACTIVE, duplicate_reason=""),
                name="work_order_one_open_per_problem_and_place",
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="work_order_newest"),
            models.Index(fields=["status", "-created_at"], name="work_order_status_newest"),
            models.Index(fields=["provider", "status"], name="work_order_provider_status"),
            models.Index(
                fields=["due_at"],
                name="work_order_active_due",
                condition=models.Q(status__in=ACTIVE),
            ),
            # The duplicate check by address. (The unique constraint's index cannot serve it:
            # the check also finds the second work orders opened with a reason.)
            models.Index(
                fields=["problem_code", "address_key"],
                name="work_order_active_address",
                condition=models.Q(status__in=ACTIVE),
            ),
            # The duplicate check by coordinates: the code's open work orders near a point.
            models.Index(
                fields=["problem_code", "latitude", "longitude"],
                name="work_order_active_place",
                condition=models.Q(status__in=ACTIVE),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("workorders:work_order_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_overdue(self) -> bool:
        return self.is_active and self.due_at is not None and self.due_at < timezone.now()


class WorkOrderChange(FieldChange):
    """One field of a work order changed: its history."""

    subject_model = WorkOrder
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="changes")

    class Meta(FieldChange.Meta):
        indexes = [models.Index(fields=["work_order", "-changed_at"], name="work_order_history")]
