"""One timeline of a request, or of all a customer's requests: every contact and every change,
whatever the channel, newest first.

Apps to the right of this one (open311, feedback, calls, mail) may not be imported here (the
direction of dependency in docs/architecture.md): each registers a source in its
AppConfig.ready() with `add_source`. A source answers for a whole page at once: the entries of
every request in the scope, with a fixed number of queries however many requests there are (the
customer's page may hold thousands), newest first, at most `scope.limit`, none after
`scope.before` when it is set. Its entries' bodies are its own templates, rendered and escaped
by it, under its own app's access rules.

This app adds the request's start, its history (a save's changes as one entry; a status change
with its reason) and its work orders' events (workorders may not import this app either)."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import groupby

from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from callcenter.extensions import ExtensionPoint
from requests_app.models import Channel, Customer, CustomerRequest, RequestChange
from workorders.models import WorkOrder, WorkOrderChange, WorkOrderStatus

# An entry no customer saw: a change, a note, a work order's progress.
INTERNAL = "internal"
CHANNEL_LABELS = {**dict(Channel.choices), INTERNAL: _("Internal")}


class Who:
    AGENT = "agent"
    CUSTOMER = "customer"
    SYSTEM = "system"

    LABELS = {AGENT: _("Agent"), CUSTOMER: _("Customer"), SYSTEM: _("System")}


@dataclass(frozen=True)
class Entry:
    """One thing that happened: a call, an e-mail, a web report, a change, a work order's step."""

    when: datetime
    channel: str  # a Channel, or INTERNAL
    kind: str | Promise  # what happened, as people read it: "Call", "E-mail received"
    who: str  # the person's or the system's name, or a number or address
    who_is: str  # a Who
    body: SafeString  # the source's own template, rendered (and escaped) there
    anchor: str  # the entry's id on the page, unique among all sources': "call-12"
    request_ids: tuple[int, ...] = ()
    # Filled by the timeline from request_ids (one query for the page, not one per source).
    requests: tuple[CustomerRequest, ...] = field(default=(), compare=False)

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def who_label(self) -> str:
        return Who.LABELS.get(self.who_is, "")


@dataclass(frozen=True)
class Scope:
    """What a source is asked for: the entries of `requests` (a queryset, used as a subquery),
    for the customer's page also `customer` (calls from their numbers belong to no request),
    the newest `limit`, at or before `before` if set (the timeline drops those of that moment
    shown already)."""

    requests: QuerySet
    customer: Customer | None = None
    before: datetime | None = None
    limit: int = 50


SourceFunction = Callable[[HttpRequest, Scope], list[Entry]]


@dataclass(frozen=True)
class Source:
    label: str | Promise  # its filter chip: "Calls", "E-mails"
    entries: SourceFunction


_sources: ExtensionPoint[Source] = ExtensionPoint()


def add_source(name: str, label: str | Promise, entries: SourceFunction) -> None:
    """Show `entries`' entries in every request's and customer's timeline. Once per name:
    AppConfig.ready() may run twice."""
    _sources.register(name, Source(label, entries))


def sources() -> dict[str, Source]:
    return _sources.handlers()


@dataclass(frozen=True)
class Timeline:
    entries: list[Entry]
    # Where older entries start (`?before=` its time, `&after=` its anchor), when there are more:
    # the last entry shown, since others may share its moment (a web report and its request's
    # start do).
    older: Entry | None
    shown: str  # the one source shown, or "" for all
    filters: list[tuple[str, str | Promise]]  # (name, label) of each source


PAGE_SIZE = 50
# Entries of one source at the moment a page ended that may have been shown already; a source
# reads this many more, so that the next page still holds PAGE_SIZE after they are dropped.
SAME_MOMENT = 10


def timeline(
    http_request: HttpRequest, requests: QuerySet, customer: Customer | None = None
) -> Timeline:
    """The newest entries of `requests` (or those after the last one of the page before,
    `?before=` and `?after=`; of one source with `?show=`), for the page `http_request` asks
    for, as its user may see them."""
    known = sources()
    shown = http_request.GET.get("show", "")
    chosen = {shown: known[shown]} if shown in known else known
    before = _moment(http_request.GET.get("before", ""))
    scope = Scope(
        requests=requests,
        customer=customer,
        before=before,
        limit=PAGE_SIZE + 1 + (SAME_MOMENT if before else 0),
    )
    answers = [source.entries(http_request, scope) for source in chosen.values()]
    entries = sorted((entry for found in answers for entry in found), key=_order, reverse=True)
    if before is not None:
        last_shown = (before, http_request.GET.get("after", "\uffff"))
        entries = [entry for entry in entries if _order(entry) < last_shown]
    # A source that gave all it was asked for may have more than those left here.
    more = len(entries) > PAGE_SIZE or any(len(found) >= scope.limit for found in answers)
    page = entries[:PAGE_SIZE]
    return Timeline(
        entries=_with_requests(page),
        older=page[-1] if more and page else None,
        shown=shown if shown in known else "",
        filters=[(name, source.label) for name, source in known.items()],
    )


def _order(entry: Entry) -> tuple:
    return (entry.when, entry.anchor)


def _moment(text: str) -> datetime | None:
    """The `before` of a link to older entries; anything else is no moment (no error page)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # The database compares in UTC: a moment at the calendar's edge may have none.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _with_requests(entries: list[Entry]) -> list[Entry]:
    ids = {pk for entry in entries for pk in entry.request_ids}
    found = CustomerRequest.objects.in_bulk(ids) if ids else {}
    return [
        replace(entry, requests=tuple(found[pk] for pk in entry.request_ids if pk in found))
        for entry in entries
    ]


def render_body(template_name: str, http_request: HttpRequest, **context) -> SafeString:
    return get_template(template_name).render(context, http_request)


def not_after(rows: QuerySet, scope: Scope, field_name: str) -> QuerySet:
    """Sources' rows at or before the scope's moment, if any."""
    if scope.before is None:
        return rows
    return rows.filter(**{f"{field_name}__lte": scope.before})


def who_is(user) -> str:
    """A system's own user (accounts.services.user_for_system: inactive and without a password)
    or a person's."""
    if user is None:
        return Who.SYSTEM
    return Who.SYSTEM if not user.is_active and not user.has_usable_password() else Who.AGENT


def user_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# This app's own sources ---------------------------------------------------------------------


def request_starts(http_request: HttpRequest, scope: Scope) -> list[Entry]:
    """Each request's start: its channel, and who took it (an agent, or the system that made it
    from an e-mail or a web report)."""
    started = not_after(scope.requests, scope, "started_at")
    rows = started.select_related("agent", "problem_code").order_by("-started_at", "-id")[
        : scope.limit
    ]
    return [
        Entry(
            when=request.started_at,
            channel=request.channel,
            kind=_("Request started"),
            who=user_name(request.agent),
            who_is=who_is(request.agent),
            body=render_body(
                "requests_app/timeline_start.html", http_request, customer_request=request
            ),
            anchor=f"started-{request.pk}",
            request_ids=(request.pk,),
        )
        for request in rows
    ]


# What a save of only these fields is: a note the agent wrote.
NOTE_FIELDS = {"description", "comment", "answer_given"}
# Shown whole, the text before behind a summary.
LONG_FIELDS = NOTE_FIELDS | {"work_address"}
WORK_ORDER_LONG_FIELDS = {"instructions", "notes", "cancel_reason", "duplicate_reason", "address"}


def request_history(http_request: HttpRequest, scope: Scope) -> list[Entry]:
    """The requests' history: the changes of one save as one entry (a status change with its
    reason; a save of only the texts as a note)."""
    changes = not_after(
        RequestChange.objects.filter(request__in=scope.requests), scope, "changed_at"
    )
    saves = _saves(changes, "request_id", scope.limit)
    template = get_template("includes/changes.html")
    entries = []
    for (request_id, when, user), rows in saves:
        fields = {row.field for row in rows}
        if "status" in fields:
            kind = _("Status changed")
        elif fields <= NOTE_FIELDS:
            kind = _("Note")
        else:
            kind = _("Details changed")
        entries.append(
            Entry(
                when=when,
                channel=INTERNAL,
                kind=kind,
                who=user_name(user),
                who_is=who_is(user),
                body=template.render({"changes": rows, "long_fields": LONG_FIELDS}, http_request),
                anchor=f"change-{rows[0].pk}",
                request_ids=(request_id,),
            )
        )
    return entries


def _saves(changes: QuerySet, subject: str, limit: int) -> list:
    """The newest `limit` saves of a history (its rows of one save share their moment and
    subject: callcenter.history.record_changes), each ((subject id, when, user), rows): two
    queries, whatever the number of subjects."""
    moments = list(
        changes.order_by("-changed_at").values_list("changed_at", flat=True).distinct()[:limit]
    )
    if not moments:
        return []
    rows = (
        changes.filter(changed_at__gte=moments[-1])
        .select_related("changed_by")
        .order_by("-changed_at", subject, "changed_by", "id")
    )

    def key(row):
        return (getattr(row, subject), row.changed_at, row.changed_by)

    return [(save, list(group)) for save, group in groupby(rows, key=key)]


def work_order_events(http_request: HttpRequest, scope: Scope) -> list[Entry]:
    """The work orders of the requests: each one's opening, and each save of it (its status,
    its completion or cancelling with the reason)."""
    linked = scope.requests.filter(work_order__isnull=False).values("work_order_id")
    opened = not_after(
        WorkOrder.objects.filter(pk__in=linked).select_related("created_by"), scope, "created_at"
    ).order_by("-created_at", "-id")[: scope.limit]
    changes = not_after(WorkOrderChange.objects.filter(work_order__in=linked), scope, "changed_at")
    saves = _saves(changes.select_related("work_order"), "work_order_id", scope.limit)
    work_orders = list(opened)
    shown = {work_order.pk for work_order in work_orders} | {save[0] for save, _rows in saves}
    requests_of = _requests_of(scope.requests, shown)
    entries = [
        Entry(
            when=work_order.created_at,
            channel=INTERNAL,
            kind=_("Work order opened"),
            who=user_name(work_order.created_by),
            who_is=who_is(work_order.created_by),
            body=render_body(
                "workorders/work_order_entry.html", http_request, work_order=work_order
            ),
            anchor=f"work-order-{work_order.pk}",
            request_ids=requests_of[work_order.pk],
        )
        for work_order in work_orders
    ]
    template = get_template("workorders/work_order_changes.html")
    for (work_order_id, when, user), rows in saves:
        entries.append(
            Entry(
                when=when,
                channel=INTERNAL,
                kind=_work_order_step(rows),
                who=user_name(user),
                who_is=who_is(user),
                body=template.render(
                    {
                        "work_order": rows[0].work_order,
                        "changes": rows,
                        "long_fields": WORK_ORDER_LONG_FIELDS,
                    },
                    http_request,
                ),
                anchor=f"work-order-change-{rows[0].pk}",
                request_ids=requests_of[work_order_id],
            )
        )
    return entries


def _work_order_step(rows: Iterable[WorkOrderChange]) -> str | Promise:
    status = next((row for row in rows if row.field == "status"), None)
    if status is None:
        return _("Work order changed")
    if status.new_value == WorkOrderStatus.COMPLETED:
        return _("Work order completed")
    if status.new_value == WorkOrderStatus.CANCELLED:
        return _("Work order cancelled")
    return _("Work order status changed")


def _requests_of(requests: QuerySet, work_order_ids: set[int]) -> dict[int, tuple[int, ...]]:
    """The requests of the scope linked to each work order: one query."""
    found = defaultdict(list)
    if work_order_ids:
        for work_order_id, pk in (
            requests.filter(work_order__in=work_order_ids)
            .order_by("-started_at", "-id")
            .values_list("work_order_id", "pk")
        ):
            found[work_order_id].append(pk)
    return defaultdict(tuple, {key: tuple(value) for key, value in found.items()})
