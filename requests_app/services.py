"""The request desk's verbs: start a contact, save it, keep its history; save a customer.

When a request is finished (saved as resolved or closed, or resolved by its work order's
completion), apps to the right of this one may have something to do in the same transaction
(feedback asks the customer how it went). This app may not import them, so it offers an explicit
extension point, as workorders does for a completed work order: `when_request_finished(name,
handler)`, registered in the other app's AppConfig.ready(). Not a signal: the handlers are few,
named and typed, run in the order registered inside the finishing transaction, and their failure
is the save's.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.concurrency import lock_for_edit
from callcenter.extensions import ExtensionPoint
from callcenter.history import record_changes, record_changes_of_many
from callcenter.numbering import number_for, pending_number
from knowledgebase.models import Article, ArticleKind
from requests_app.models import (
    Channel,
    ConsultedArticle,
    Customer,
    CustomerPhone,
    CustomerRequest,
    RequestChange,
    RequestType,
    RequestTypeSetting,
    Status,
)
from requests_app.phones import display_phone, normalise_phone
from requests_app.signals import requests_changed
from workorders.addresses import address_key
from workorders.models import WorkOrder
from workorders.services import Report, work_order_create_or_link
from workorders.tasks import notify_caller_work_order_completed

# Where a request may go from each status. Reopening a closed request is a supervisor's
# decision and needs a reason (request_save checks both).
TRANSITIONS: dict[str, set[str]] = {
    Status.OPEN: {Status.FOLLOW_UP, Status.RESOLVED, Status.CLOSED},
    Status.FOLLOW_UP: {Status.OPEN, Status.RESOLVED, Status.CLOSED},
    Status.RESOLVED: {Status.OPEN, Status.FOLLOW_UP, Status.CLOSED},
    Status.CLOSED: {Status.OPEN},
}
DONE = {Status.RESOLVED, Status.CLOSED}
REOPEN_PERMISSION = "requests_app.reopen_customerrequest"


class FinishHandler(Protocol):
    """What another app does when requests are finished (one saved, or all those a work order's
    completion resolved), in the same transaction."""

    def __call__(self, *, requests: list[CustomerRequest]) -> object: ...


_request_finished: ExtensionPoint[FinishHandler] = ExtensionPoint()


def when_request_finished(name: str, handler: FinishHandler) -> None:
    """Have `handler` called whenever a request goes from open or waiting for a follow-up to
    resolved or closed (not when a blank request is discarded)."""
    _request_finished.register(name, handler)


def finish_handlers() -> dict[str, FinishHandler]:
    return _request_finished.handlers()


def _tell_finished(requests: list[CustomerRequest]) -> None:
    if requests:
        _request_finished.call(requests=requests)


# The fields whose changes the history records, in the order the form shows them.
TRACKED_FIELDS = [
    "request_type",
    "channel",
    "status",
    "customer",
    "caller_name",
    "caller_phone",
    "caller_email",
    "problem_code",
    "work_order",
    "work_address",
    "description",
    "comment",
    "answer_given",
    "follow_up_due",
    "follow_up_assignee",
]


@transaction.atomic
def request_start(*, agent: AbstractBaseUser, channel: str = Channel.PHONE) -> CustomerRequest:
    """Save first: the contact exists, with its start time, before any detail is typed."""
    request = CustomerRequest.objects.create(
        agent=agent, channel=channel, started_at=timezone.now(), number=pending_number()
    )
    request.number = number_for(request, "CR", request.started_at)
    request.save(update_fields=["number"])
    requests_changed.send(sender=CustomerRequest)  # the reports count its day again
    return request


@transaction.atomic
def request_start_for_customer(
    *, agent: AbstractBaseUser, customer: Customer, channel: str = Channel.PHONE
) -> CustomerRequest:
    """A contact with a caller already known (started from their page): the request is theirs
    from the start, with their name, first phone and e-mail as the caller's details."""
    request = request_start(agent=agent, channel=channel)
    phone = customer.phones.order_by("pk").first()
    request.customer = customer
    request.caller_name = customer.name
    request.caller_email = customer.email
    request.caller_phone = phone.number if phone else ""
    request.save(
        update_fields=["customer", "caller_name", "caller_email", "caller_phone", "updated_at"]
    )
    return request


@dataclass(frozen=True)
class WorkOrderChoice:
    """What the agent chose for an action request's work order: link to an open one, create a
    new one (with a reason when the problem is already open there), or, by default, link to the
    open one for the problem at the place if there is one and create one otherwise."""

    link_to: WorkOrder | None = None
    create_new: bool = False
    reason: str = ""


@transaction.atomic
def request_save(
    *,
    request: CustomerRequest,
    values: dict[str, Any],
    expected_version: int | None,
    user: AbstractBaseUser,
    reason: str = "",
    work_order_choice: WorkOrderChoice = WorkOrderChoice(),  # noqa: B008 - frozen, shared safely
    coordinates: tuple[Decimal, Decimal] | None = None,
) -> CustomerRequest:
    """Apply the agent's changes, unless someone saved the request since it was opened. An
    action request gets its work order: a new one, or the one already open for the problem
    (at the same address, or within 50 m of `coordinates`, the latitude and longitude a
    reporter's app put the problem at, which a new work order keeps).

    Raises EditConflict (with the other version) or ValidationError (naming the field).
    """
    # The caller's lock comes before the request's: see _lock_caller.
    _lock_caller(
        values.get("caller_phone", request.caller_phone),
        values.get("caller_email", request.caller_email),
    )
    current = lock_for_edit(CustomerRequest, request.pk, expected_version)
    before = {field: getattr(current, field) for field in TRACKED_FIELDS}
    if current.status == Status.CLOSED:
        _check_only_reopened(current, values)
    for field, value in values.items():
        setattr(current, field, value)
    if current.request_type == RequestType.COMMENT:
        # A comment needs no follow-up: it is logged and closed.
        current.status = Status.CLOSED
    _check_status(before["status"], current, user, reason)
    _check_sections(current, before["follow_up_due"])
    if before["status"] not in DONE:
        _check_knowledge_search(current)
    if current.customer is None and before["status"] != Status.CLOSED:
        current.customer = customer_for_caller(
            name=current.caller_name, phone=current.caller_phone, email=current.caller_email
        )
    current.work_address_key = address_key(current.work_address)
    if current.request_type == RequestType.ACTION and current.work_order is None:
        current.work_order = work_order_create_or_link(
            report=Report(current.problem_code, current.work_address, *(coordinates or ())),
            user=user,
            link_to=work_order_choice.link_to,
            create_new=work_order_choice.create_new,
            reason=work_order_choice.reason,
        )

    _settle(current, timezone.now())
    current.save()
    record_changes(RequestChange, current, before, user, reason)
    requests_changed.send(sender=CustomerRequest)
    if before["status"] not in DONE and current.status in DONE:
        _tell_finished([current])
    return current


def _settle(request: CustomerRequest, now) -> None:
    """What a request's status means for its other fields, whoever changes it (the agent's
    save, a work order's completion): its first finish ends the handling time and says whether
    it was resolved in the first contact; only a request waiting for a callback keeps one; every
    change counts the version up, so that a form opened before it notices (lock_for_edit)."""
    if request.finished_at is None:
        request.finished_at = now
        request.first_contact_resolution = request.status in DONE
    if request.status != Status.FOLLOW_UP:
        request.follow_up_due = None
        request.follow_up_assignee = None
    request.version += 1
    request.updated_at = now


# What a work order's completion changes of a request, and so what its history records.
RESOLVED_BY_WORK_ORDER = ["status", "follow_up_due", "follow_up_assignee"]


@transaction.atomic
def requests_resolve_for_work_order(*, work_order: WorkOrder, user: AbstractBaseUser) -> int:
    """A work order was completed: resolve its requests still open or waiting for a callback,
    each with its history, and queue an e-mail to each caller who left an address, in their
    language (sent by the task worker once the transaction commits). How many were resolved.

    workorders.services calls it (registered in requests_app.apps) inside the completion's
    transaction, while it holds the work order's row lock: see work_order_create_or_link for
    why no request can be linked in between and left open.
    """
    now = timezone.now()
    still_open = list(
        CustomerRequest.objects.select_for_update(of=("self",))
        .select_related("follow_up_assignee")
        .filter(work_order=work_order, status__in=[Status.OPEN, Status.FOLLOW_UP])
        .order_by("pk")
    )
    changes = []
    for request in still_open:
        before = {field: getattr(request, field) for field in RESOLVED_BY_WORK_ORDER}
        request.status = Status.RESOLVED
        _settle(request, now)
        changes.append((request, before))
    CustomerRequest.objects.bulk_update(
        still_open,
        [
            *RESOLVED_BY_WORK_ORDER,
            "finished_at",
            "first_contact_resolution",
            "version",
            "updated_at",
        ],
    )
    reason = _("%(number)s was completed.") % {"number": work_order}
    record_changes_of_many(RequestChange, changes, user, reason)
    requests_changed.send(sender=CustomerRequest)
    _tell_finished(still_open)
    for email, language in _callers_to_tell(work_order):
        notify_caller_work_order_completed.enqueue(
            email=email,
            language=language,
            work_order_number=work_order.number,
            title=work_order.title,
            address=work_order.address,
        )
    return len(still_open)


def _callers_to_tell(work_order: WorkOrder) -> list[tuple[str, str]]:
    """Each address once: the one given on the request, else the known customer's."""
    seen: dict[str, str] = {}
    rows = (
        CustomerRequest.objects.filter(work_order=work_order)
        .values_list("caller_email", "customer__email", "customer__preferred_language")
        .order_by("started_at")
    )
    for caller_email, customer_email, language in rows:
        email = (caller_email or customer_email or "").lower()
        if email and email not in seen:
            seen[email] = language or ""
    return list(seen.items())


def _check_status(old: str, request: CustomerRequest, user, reason: str) -> None:
    new = request.status
    if new == old:
        return
    if new not in TRANSITIONS[old]:
        raise ValidationError(
            {
                "status": _("A request cannot go from “%(old)s” to “%(new)s”.")
                % {"old": Status(old).label, "new": Status(new).label}
            }
        )
    if old == Status.CLOSED:
        if request.discarded_at is not None:
            raise ValidationError(
                {"status": _("A discarded request stays closed: take a new request instead.")}
            )
        if not user.has_perm(REOPEN_PERMISSION):
            raise ValidationError({"status": _("Only a supervisor can reopen a closed request.")})
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the closed request is reopened.")})


def _check_only_reopened(current: CustomerRequest, values: dict[str, Any]) -> None:
    """Closed means closed: the one change a save may make is reopening it (a supervisor, with
    a reason, checked by _check_status); the other fields change in a later save."""
    changed = [
        field
        for field, value in values.items()
        if field != "status" and getattr(current, field) != value
    ]
    if changed:
        raise ValidationError(
            {
                field: _("The request is closed: reopen it first, then change this.")
                for field in changed
            }
        )
    if values.get("status", Status.CLOSED) == Status.CLOSED:
        raise ValidationError(
            {
                "status": _(
                    "This request is closed. To change it, a supervisor first reopens it: "
                    "status “Open”, with a reason."
                )
            }
        )


def _check_sections(request: CustomerRequest, old_follow_up_due=None) -> None:
    errors = {}
    if request.status == Status.FOLLOW_UP:
        if request.follow_up_due is None:
            errors["follow_up_due"] = _("A follow-up needs a due date.")
        elif request.follow_up_due != old_follow_up_due and request.follow_up_due < _this_minute():
            errors["follow_up_due"] = _("The follow-up is due in the past: choose a later time.")
        if request.follow_up_assignee is None:
            errors["follow_up_assignee"] = _("A follow-up needs someone to call back.")
    if request.request_type == RequestType.ACTION:
        if request.problem_code is None:
            errors["problem_code"] = _("An action request needs a problem code.")
        if not request.work_address.strip() and request.work_order is None:
            errors["work_address"] = _("An action request needs the work address.")
    if request.request_type == RequestType.COMMENT and not request.comment.strip():
        errors["comment"] = _("Write down the comment.")
    if errors:
        raise ValidationError(errors)


def _this_minute():
    """Now, to the minute: the form picks due times to the minute, so "now" is not the past."""
    return timezone.now().replace(second=0, microsecond=0)


def _check_knowledge_search(request: CustomerRequest) -> None:
    """Where the request type asks for it, the knowledge base is searched (or an article
    consulted) before the request is resolved or closed."""
    if request.status not in DONE or request.used_knowledge_base():
        return
    if RequestTypeSetting.for_type(request.request_type).knowledge_search_required:
        raise ValidationError(
            {
                "status": _(
                    "Search the knowledge base before saving this request as “%(status)s”: "
                    "requests of the type “%(type)s” need it."
                )
                % {
                    "status": Status(request.status).label,
                    "type": RequestType(request.request_type).label,
                }
            }
        )


def request_searched_knowledge(request: CustomerRequest) -> None:
    """Note that the agent searched the knowledge base from the request (the first time only;
    not an edit of the request, so its version stays)."""
    CustomerRequest.objects.filter(pk=request.pk, knowledge_searched_at__isnull=True).update(
        knowledge_searched_at=timezone.now()
    )


# A link-article's chain is checked for cycles when saved; this bounds the walk regardless.
MAX_LINK_HOPS = 10


def request_consult(*, request: CustomerRequest, article: Article, user: AbstractBaseUser):
    """Record that the agent opened the article from the request, and return what to show:
    a link-article's target (the article whose text the agent reads is the one recorded)."""
    for _hop in range(MAX_LINK_HOPS):
        if article.kind != ArticleKind.ARTICLE_LINK or article.link_target is None:
            break
        article = article.link_target
    ConsultedArticle.objects.bulk_create(
        [
            ConsultedArticle(
                request=request,
                article=article,
                consulted_by=user,
                # The services' clock, as for every moment they write (demo.clock replays it).
                consulted_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,  # opened before: the first time counts
    )
    return article


# What an agent types into a request; a request with none of them is blank (request_discard).
TYPED_FIELDS = [
    "customer",
    "caller_name",
    "caller_phone",
    "caller_email",
    "problem_code",
    "work_address",
    "description",
    "comment",
    "answer_given",
    "follow_up_due",
]


def request_is_blank(request: CustomerRequest) -> bool:
    """Nothing typed, nothing saved, no article opened: the contact alone."""
    return (
        request.status == Status.OPEN
        and request.finished_at is None
        and request.work_order_id is None
        and not any(getattr(request, field) for field in TYPED_FIELDS)
        and not request.consulted_articles.exists()
    )


@transaction.atomic
def request_discard(
    *, request: CustomerRequest, user: AbstractBaseUser, typed: dict[str, Any] | None = None
) -> CustomerRequest:
    """Take a blank request off the lists (a "New request" pressed by mistake, or a call that
    ended before a word was typed): closed and marked discarded, it leaves the open requests and
    the lists' default view, but stays a contact for the reports (its start counts; with no
    finish it adds no handling time). Refused once anything is typed, saved or in the form
    (`typed`: the form's values when the agent discarded)."""
    current = CustomerRequest.objects.select_for_update().get(pk=request.pk)
    if current.discarded_at is not None:
        return current
    typed_now = [name for name in TYPED_FIELDS if str((typed or {}).get(name) or "").strip()]
    if typed_now or not request_is_blank(current):
        raise ValidationError(
            _(
                "Only a request with nothing typed can be discarded. Save this one instead "
                "(a call that needs nothing more can be saved as Resolved)."
            )
        )
    before = {"status": current.status, "discarded_at": None}
    current.status = Status.CLOSED
    current.discarded_at = timezone.now()
    current.version += 1
    current.save(update_fields=["status", "discarded_at", "version", "updated_at"])
    record_changes(RequestChange, current, before, user, _("Discarded: nothing was typed."))
    return current


@transaction.atomic
def request_type_setting_save(
    *,
    request_type: str,
    knowledge_search_required: bool,
    expected_version: int | None,
    user: AbstractBaseUser,
) -> RequestTypeSetting:
    """Change what a request type asks of agents; EditConflict if someone changed it since."""
    default = RequestTypeSetting.for_type(request_type)
    saved, _created = RequestTypeSetting.objects.get_or_create(
        request_type=request_type,
        defaults={"knowledge_search_required": default.knowledge_search_required},
    )
    current = lock_for_edit(RequestTypeSetting, saved.pk, expected_version)
    current.knowledge_search_required = knowledge_search_required
    current.updated_by = user
    current.version += 1
    current.save()
    return current


@transaction.atomic
def customer_for_caller(*, name: str, phone: str, email: str) -> Customer | None:
    """The customer a caller is, by their phone number (E.164) or e-mail address: the one
    customer who has either, or a new customer made from the caller's details when nobody has
    (named by the number as people read it, or the address, while the name is unknown; the agent
    corrects it on the customer's page). None when the caller gave neither.

    Several customers with the number or the address: the agent chooses, the save does not
    guess; ValidationError on the caller fields that matched.
    """
    phone, email = phone.strip(), email.strip().lower()
    if not phone and not email:
        return None
    _lock_caller(phone, email)
    found = list(Customer.objects.with_caller_details(phone=phone, email=email)[:2])
    if len(found) == 1:
        return found[0]
    if found:
        raise ValidationError(_several_callers(phone, email))
    unnamed = display_phone(phone) or email
    return customer_save(
        values={"name": (name.strip() or unnamed)[:NAME_LENGTH], "email": email},
        phones=[phone] if phone else [],
    )


NAME_LENGTH = Customer._meta.get_field("name").max_length


def _several_callers(phone: str, email: str) -> dict[str, ValidationError]:
    message = ValidationError(
        _(
            "More than one customer has this number or e-mail address: choose the caller with "
            "one of the “Use …” buttons."
        ),
        code="several_callers",
    )
    fields = {}
    if phone and CustomerPhone.objects.filter(number=phone).exists():
        fields["caller_phone"] = message
    if email and Customer.objects.filter(email=email).exists():
        fields["caller_email"] = message
    return fields


CALLER_CONTACT_FIELDS = ("caller_email", "caller_phone")


def shared_caller_fields(error: ValidationError) -> list[str]:
    """The caller fields a save refused because several customers share what they hold: where
    an agent would choose the caller. Saves nobody watches (Open311, e-mail) save without them
    and say so in the request instead."""
    if not hasattr(error, "error_dict"):
        return []
    return [
        field
        for field in CALLER_CONTACT_FIELDS
        if any(item.code == "several_callers" for item in error.error_dict.get(field, []))
    ]


def _lock_caller(phone: str, email: str) -> None:
    """Hold the locks of the caller's number and address until the transaction ends
    (PostgreSQL; SQLite's transactions write one at a time anyway): of two agents saving calls
    from the same new number at once, the second waits, then finds the customer the first one
    made. CustomerPhone cannot be unique (a family shares a landline, a firm a switchboard),
    so a lock, not a constraint, decides.

    Lock order: request_save takes these before the request's row lock, which comes before
    the work-order locks, so no save can hold a request while waiting here.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted({value.strip().lower() for value in (phone, email) if value and value.strip()})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [CALLER_LOCKS, key])


# The first key of PostgreSQL's two-key advisory locks: callers, by number or address
# (workorders.services uses 5001).
CALLER_LOCKS = 5002


@transaction.atomic
def customer_save(
    *,
    values: dict[str, Any],
    phones: list[str],
    customer: Customer | None = None,
    expected_version: int | None = None,
) -> Customer:
    """Create or update a customer with up to three phone numbers, stored in E.164."""
    numbers = _normalised_phones(phones)
    if "email" in values:
        values = {**values, "email": values["email"].strip().lower()}
    if customer is None:
        customer = Customer(**values)
    else:
        customer = lock_for_edit(Customer, customer.pk, expected_version)
        for field, value in values.items():
            setattr(customer, field, value)
        customer.version += 1
    customer.full_clean()
    customer.save()
    customer.phones.all().delete()
    CustomerPhone.objects.bulk_create(
        CustomerPhone(customer=customer, number=number, position=position)
        for position, number in enumerate(numbers)
    )
    return customer


def _normalised_phones(phones: list[str]) -> list[str]:
    typed = [phone for phone in phones if phone and phone.strip()]
    if len(typed) > CustomerPhone.MAX_PER_CUSTOMER:
        raise ValidationError(
            {
                "phones": _("A customer has at most %(count)s phone numbers.")
                % {"count": CustomerPhone.MAX_PER_CUSTOMER}
            }
        )
    numbers: list[str] = []
    for phone in typed:
        number = normalise_phone(phone)
        if number not in numbers:
            numbers.append(number)
    return numbers
