"""The work orders' verbs: create one for a reported problem or link to the one already open,
change its status and details, complete or cancel it.

Completing a work order resolves its customer requests and tells their callers, but requests
are requests_app's, and requests_app depends on this app, not the other way round: this module
may not import it. So what a completion does to other apps' data is theirs to say, through one
explicit extension point: `when_work_order_completed(name, handler)`. requests_app registers
its service `requests_resolve_for_work_order` in its AppConfig.ready(); work_order_update calls
every registered handler inside the completion's transaction, after the work order is saved
and while its row lock is held, so that the requests are resolved together with the work order
or not at all, and no request can be linked to it in between (see work_order_create_or_link).
A handler's ValidationError or any other error undoes the completion. Not a signal: the
handlers are few, named, typed, called in the order registered, and their failure is the
completion's.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.concurrency import EditConflict, lock_for_edit
from callcenter.extensions import ExtensionPoint
from callcenter.history import record_changes
from callcenter.numbering import number_for, pending_number
from hierarchy.models import ProblemCode
from workorders.addresses import address_key, bounding_box, distance_m
from workorders.models import ACTIVE, WorkOrder, WorkOrderChange, WorkOrderStatus

DUPLICATE_RADIUS_M = 50
MAX_DUPLICATES_SHOWN = 5

S = WorkOrderStatus
TRANSITIONS: dict[str, set[str]] = {
    S.OPEN: {S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD, S.COMPLETED, S.CANCELLED},
    S.ASSIGNED: {S.OPEN, S.IN_PROGRESS, S.ON_HOLD, S.COMPLETED, S.CANCELLED},
    S.IN_PROGRESS: {S.ASSIGNED, S.ON_HOLD, S.COMPLETED, S.CANCELLED},
    S.ON_HOLD: {S.ASSIGNED, S.IN_PROGRESS, S.COMPLETED, S.CANCELLED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}
TRACKED_FIELDS = ["status", "assignee", "due_at", "priority", "notes", "cancel_reason"]


class CompletionHandler(Protocol):
    """What another app does when a work order is completed, in the same transaction."""

    def __call__(self, *, work_order: WorkOrder, user: AbstractBaseUser) -> object: ...


_work_order_completed: ExtensionPoint[CompletionHandler] = ExtensionPoint()


def when_work_order_completed(name: str, handler: CompletionHandler) -> None:
    """Have `handler` called whenever a work order is completed (see the module's docstring)."""
    _work_order_completed.register(name, handler)


def completion_handlers() -> dict[str, CompletionHandler]:
    return _work_order_completed.handlers()


@dataclass(frozen=True)
class Report:
    """A problem reported at a place, as the request form gives it."""

    problem_code: ProblemCode | None
    address: str
    latitude: Any = None
    longitude: Any = None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def work_order_duplicates(report: Report) -> list[WorkOrder]:
    """The open work orders for the same problem at the same place (the same address, or
    within 50 m when both have coordinates), oldest first, each with `callers` counted."""
    key = address_key(report.address)
    if report.problem_code is None or not key:
        return []
    place = Q(address_key=key)
    if report.has_point:
        place |= Q(**bounding_box(report.latitude, report.longitude, DUPLICATE_RADIUS_M))
    candidates = (
        WorkOrder.objects.active()
        .filter(place, problem_code=report.problem_code)
        .select_related("created_by")
        .annotate(callers=Count("requests"))
        .order_by("created_at", "pk")[:MAX_DUPLICATES_SHOWN]
    )
    return [work_order for work_order in candidates if _same_place(work_order, report, key)]


def _same_place(work_order: WorkOrder, report: Report, key: str) -> bool:
    if work_order.address_key == key:
        return True
    return (
        report.has_point
        and work_order.latitude is not None
        and work_order.longitude is not None
        and distance_m(report.latitude, report.longitude, work_order.latitude, work_order.longitude)
        <= DUPLICATE_RADIUS_M
    )


@transaction.atomic
def work_order_create_or_link(
    *,
    report: Report,
    user: AbstractBaseUser,
    link_to: WorkOrder | None = None,
    create_new: bool = False,
    reason: str = "",
) -> WorkOrder:
    """The work order a reported problem belongs to, locked until the transaction ends.

    - link_to: the open work order the agent chose; it must be one for the problem at the place.
    - create_new with a reason: a new one although the same problem is open at the place.
    - otherwise: the open one for the problem at the place if there is one (the agent may not
      have seen it: another agent created it a moment ago), else a new one.
    Two agents reporting the same problem at the same place at the same moment get one work
    order: on PostgreSQL the reports of a problem code are serialised by a transaction lock,
    and everywhere a partial unique index allows one open work order per problem and address.

    Linking and completing are serialised by the work order's row lock: every link takes it
    (SELECT ... FOR UPDATE) and checks the work order is still open, and work_order_update
    holds it while it resolves the linked requests. So a request linked a moment before the
    completion is resolved with the others, and one a moment after is refused (or, by default,
    gets a new work order), never left open on a finished one.

    Lock order, and why it cannot deadlock: request_save locks the request (R), then here the
    problem code's report lock (PostgreSQL), then the work order (W); completing locks W, then
    the open requests linked to W. The orders differ, but a request reaches this function only
    while it has no work order, and the completion only waits for rows that are linked to W in
    the database (committed); the request being linked is not, so the completion never waits
    for an R whose holder waits for W. Requests already linked to W are locked by the
    completion, and request_save never takes W for them.
    """
    _check_report(report)
    if link_to is not None:
        return _linkable(link_to, report)
    _serialise_reports_of(report.problem_code)
    for _attempt in range(MAX_LINK_ATTEMPTS):
        duplicates = work_order_duplicates(report)
        if duplicates and not create_new:
            linked = _lock_if_active(duplicates[0])
            if linked is None:
                # Completed or cancelled since the search: look again without it.
                continue
            return linked
        break
    else:
        raise ValidationError(
            {
                "work_order_choice": _(
                    "The work orders for this problem here are changing right now: save again."
                )
            }
        )
    if duplicates and not reason.strip():
        raise ValidationError(
            {
                "work_order_reason": _(
                    "%(number)s is open for this problem at this address. Say why another work "
                    "order is needed, or link the request to it."
                )
                % {"number": duplicates[0]}
            }
        )
    try:
        with transaction.atomic():
            return _create(report, user, reason.strip() if duplicates else "")
    except IntegrityError:
        # Created by someone else since the check (SQLite has no transaction lock to wait on).
        return WorkOrder.objects.select_for_update().get(
            status__in=ACTIVE,
            problem_code=report.problem_code,
            address_key=address_key(report.address),
            duplicate_reason="",
        )


# Each attempt of the default link finds a work order finished since its search; the next
# search no longer finds it. A bound, not a count anyone expects to reach.
MAX_LINK_ATTEMPTS = 5


def _check_report(report: Report) -> None:
    errors = {}
    if report.problem_code is None:
        errors["problem_code"] = _("A work order needs a problem code.")
    if not report.address.strip():
        errors["work_address"] = _("A work order needs the work address.")
    if report.has_point and not (-90 <= report.latitude <= 90 and -180 <= report.longitude <= 180):
        errors["work_address"] = _("The coordinates are not on the map.")
    if errors:
        raise ValidationError(errors)


def _lock_if_active(work_order: WorkOrder) -> WorkOrder | None:
    """The work order, locked, if it is still open once the lock is ours."""
    current = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    return current if current.is_active else None


def _linkable(work_order: WorkOrder, report: Report) -> WorkOrder:
    """The work order the agent chose, locked: open, and for the reported problem and place
    (a posted number is not trusted to be one of those the form showed)."""
    current = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    if not current.is_active:
        raise ValidationError(
            {
                "work_order_choice": _(
                    "%(number)s is %(status)s: a request cannot be linked to it any more."
                )
                % {"number": current, "status": current.get_status_display().lower()}
            }
        )
    key = address_key(report.address)
    if current.problem_code_id != report.problem_code.pk or not _same_place(current, report, key):
        raise ValidationError(
            {
                "work_order_choice": _(
                    "%(number)s is not for this problem at this address: choose one of the "
                    "work orders shown, or a new one."
                )
                % {"number": current}
            }
        )
    return current


def _serialise_reports_of(problem_code: ProblemCode) -> None:
    """Hold the problem code's report lock until the transaction ends (PostgreSQL): the second
    of two simultaneous reports waits, then sees the first one's work order."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, problem_code.pk]
            )


# The first key of PostgreSQL's two-key advisory locks: work-order reports, by problem code.
LOCK_NAMESPACE = 5001


def work_order_from_code(code: ProblemCode, reported_at: datetime) -> dict[str, Any]:
    """What a work order opened for a report of `code` at `reported_at` takes from the
    catalogue: the standard work order's title, instructions, trade and priority (the code's own
    without one), the code's provider, and the due date its turnaround promises."""
    template = code.standard_work_order
    promise = code.promise_dates(reported_at)
    return {
        "title": template.title if template else code.name,
        "instructions": template.instructions if template else code.description,
        "trade": template.trade if template else "",
        "priority": template.priority if template else code.priority,
        "provider_id": code.category.provider_id,
        "due_at": promise["permanent"] or promise["temporary"],
    }


def _create(report: Report, user: AbstractBaseUser, duplicate_reason: str) -> WorkOrder:
    code = report.problem_code
    now = timezone.now()
    work_order = WorkOrder.objects.create(
        number=pending_number(),
        problem_code=code,
        **work_order_from_code(code, now),
        address=report.address.strip(),
        address_key=address_key(report.address),
        latitude=report.latitude,
        longitude=report.longitude,
        duplicate_reason=duplicate_reason,
        created_by=user,
        created_at=now,
    )
    work_order.number = number_for(work_order, "WO", now)
    work_order.save(update_fields=["number"])
    return work_order


@transaction.atomic
def work_order_update(
    *,
    work_order: WorkOrder,
    values: dict[str, Any],
    expected_version: int | None,
    user: AbstractBaseUser,
    reason: str = "",
) -> WorkOrder:
    """Change a work order's status or details, with its history.

    Completing it resolves every linked request still open and queues an e-mail to each caller
    who left an address, all while the work order stays locked (see work_order_create_or_link);
    cancelling it needs a reason, which the linked requests show. A completed or cancelled work
    order is final: nothing of it changes any more.
    Raises EditConflict or ValidationError (naming the field).
    """
    try:
        current = lock_for_edit(WorkOrder, work_order.pk, expected_version)
    except EditConflict as conflict:
        _check_changeable(conflict.current)
        raise
    _check_changeable(current)
    before = {field: getattr(current, field) for field in TRACKED_FIELDS}
    for field, value in values.items():
        setattr(current, field, value)
    _check_status(before["status"], current, reason)
    _check_due(before["due_at"], current)
    if current.status != before["status"] and current.status in (S.COMPLETED, S.CANCELLED):
        current.closed_at = timezone.now()
    current.version += 1
    current.save()
    record_changes(WorkOrderChange, current, before, user, reason)
    if current.status == S.COMPLETED and before["status"] != S.COMPLETED:
        _complete(current, user)
    return current


def _check_changeable(work_order: WorkOrder) -> None:
    if not work_order.is_active:
        raise ValidationError(
            _("%(number)s is %(status)s: it cannot be changed any more.")
            % {"number": work_order, "status": work_order.get_status_display().lower()}
        )


def _check_status(old: str, work_order: WorkOrder, reason: str) -> None:
    new = work_order.status
    if new == old:
        return
    if new not in TRANSITIONS[old]:
        raise ValidationError(
            {
                "status": _("A work order cannot go from “%(old)s” to “%(new)s”.")
                % {"old": S(old).label, "new": S(new).label}
            }
        )
    if new == S.CANCELLED:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the work order is cancelled.")})
        work_order.cancel_reason = reason.strip()


def _check_due(old, work_order: WorkOrder) -> None:
    # Without a due date a work order could never be late: the reports would count it on time.
    if work_order.due_at is None:
        raise ValidationError({"due_at": _("A work order needs a due date.")})
    if work_order.due_at != old and work_order.due_at < timezone.now():
        raise ValidationError({"due_at": _("The due date is in the past.")})


def _complete(work_order: WorkOrder, user: AbstractBaseUser) -> None:
    """What the other apps do when the work order is completed (requests_app: resolve its
    requests and tell their callers), in this transaction, under the work order's lock."""
    _work_order_completed.call(work_order=work_order, user=user)
