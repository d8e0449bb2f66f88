"""Customers and customer requests in volume, for benchmarks (`manage.py generate_volume`): a
million requests in about a minute on PostgreSQL (COPY), by bulk_create on any other database.
The generator hands out plain rows; the writer only decides how they travel.

Too many for the services one by one (the demo's few thousand go through them: demo.desk), the
rows are generated as the services would have left them. Where a row needs a rule's result,
it asks the function that owns the rule: numbers from callcenter.numbering, what a work order
takes from its problem code and when it is due from workorders.services.work_order_from_code,
the duplicate check's address key from workorders.addresses, which request types need a
knowledge-base search from RequestTypeSetting. Tests replay a sample of the generated calls
through the services and compare (tests/demo/test_volume.py).

- Customers: a name, e-mail address and street from Faker in their language (demo.people), one
  to three phone numbers valid in settings.PHONE_DEFAULT_REGION (E.164), an address alias for a
  few, a preferred language (mostly English, some German and Norwegian), now and then a note.
- Requests over the last `days` days (demo.city's shares and hours). About 70 % come from known
  customers, with their name, one of their numbers and their e-mail (the desk links a caller
  with a number or an address to the customer who has it, or makes one); the others gave only a
  name, or nothing. Most are resolved or closed, about 70 % of those in the first contact; the
  newest are more often still open or waiting for a callback (a due date, some overdue, and an
  agent who calls back). About 2 % are abandoned empty drafts.
- Work orders: every action request has a work address and a work order. The first report of a
  problem at a place opens one (at that request's time, by its agent); while it is open, later
  reports of the problem there link to it (about one action request in four: their callers may
  write the address another way, never with another key). Only one is open per problem and
  address (WorkOrder's constraint); a place may have several completed or cancelled ones. The
  older ones mostly completed a few days after they were opened (some late), about one in twenty
  cancelled with a reason, the newer ones open, assigned, in progress or on hold, some overdue.
  A request whose work order is completed by now is resolved or closed.
- Feedback: the finished requests of a known customer with an e-mail address whose type and
  channel ask for it (FeedbackSetting) ask that customer, unless they were asked in the 30
  days before or said no: an invitation sent a few minutes after the finish, about a third
  answered within three days (demo.feedback's answers, more satisfied after a first-contact
  resolution, some with a comment), a few saying "don't ask me again".
- Primary keys reserved from the tables' sequences first, so that the desk never hands out one
  of their numbers again. Agents: the users in the Agent and Supervisor groups.

Deterministic: the same seed, moment (`now`), catalogue, agents, reserved ids and open work
orders give the same rows. No history (RequestChange, WorkOrderChange) rows are generated.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from callcenter import roles
from callcenter.numbering import number_of
from demo import city
from demo.feedback import answer_values
from demo.people import CITY, PLACES, POSTCODES, People, PhoneMaker
from feedback.models import (
    ANSWER_WITHIN_DAYS,
    ASK_AGAIN_AFTER_DAYS,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackOptOut,
    FeedbackSetting,
)
from hierarchy.models import ProblemCode
from requests_app.models import (
    Channel,
    Customer,
    CustomerPhone,
    CustomerRequest,
    RequestType,
    RequestTypeSetting,
    Status,
)
from requests_app.services import DONE
from workorders.addresses import address_key
from workorders.models import WorkOrder, WorkOrderStatus
from workorders.services import work_order_from_code

Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 100_000  # rows

# Of the requests still open or waiting for a callback: how likely, by type, for the newest.
PENDING = {RequestType.INFORMATION: 0.08, RequestType.ACTION: 0.45, RequestType.COMMENT: 0.0}
# Streets of the city the volume's addresses are in.
STREETS = 60
NEVER = datetime.max.replace(tzinfo=UTC)

CUSTOMER_COLUMNS = (
    "id",
    "name",
    "email",
    "second_email",
    "postal_address",
    "address_alias",
    "preferred_language",
    "notes",
    "created_at",
    "updated_at",
    "version",
)
PHONE_COLUMNS = ("customer_id", "number", "position")
REQUEST_COLUMNS = (
    "id",
    "number",
    "request_type",
    "channel",
    "status",
    "agent_id",
    "started_at",
    "finished_at",
    "customer_id",
    "caller_name",
    "caller_phone",
    "caller_email",
    "problem_code_id",
    "work_order_id",
    "work_address",
    "description",
    "comment",
    "answer_given",
    "follow_up_due",
    "follow_up_assignee_id",
    "first_contact_resolution",
    "knowledge_searched_at",
    "version",
    "work_address_key",
)
WORK_ORDER_COLUMNS = (
    "id",
    "number",
    "problem_code_id",
    "title",
    "instructions",
    "trade",
    "priority",
    "address",
    "address_key",
    "provider_id",
    "assignee",
    "due_at",
    "status",
    "notes",
    "cancel_reason",
    "duplicate_reason",
    "created_by_id",
    "created_at",
    "closed_at",
    "version",
)
# What a work order takes from its problem code, in WORK_ORDER_COLUMNS order.
FROM_CODE = ("title", "instructions", "trade", "priority")
WORK_ORDER_OF_REQUEST = REQUEST_COLUMNS.index("work_order_id")
INVITATION_COLUMNS = (
    "id",
    "request_id",
    "customer_id",
    "email",
    "language",
    "request_type",
    "channel",
    "agent_id",
    "problem_code_id",
    "asked_at",
    "sent_at",
    "expires_at",
)
ANSWER_COLUMNS = (
    "invitation_id",
    "satisfaction",
    "effort",
    "recommend",
    "comment",
    "answered_at",
    "asked_at",
    "request_type",
    "channel",
    "agent_id",
    "problem_code_id",
)
OPT_OUT_COLUMNS = ("customer_id", "created_at")


@dataclass
class VolumeSummary:
    customers: int = 0
    phones: int = 0
    requests: int = 0
    work_orders: int = 0
    invitations: int = 0
    answers: int = 0


@dataclass
class Callers:
    """What a request copies from its customer, by position in the generated list."""

    ids: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    phones: list[tuple[str, ...]] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    languages: dict[int, str] = field(default_factory=dict)  # by customer id

    def __len__(self) -> int:
        return len(self.ids)


# The catalogue and the agents ---------------------------------------------------------------------


def usable_codes() -> list[ProblemCode]:
    """The codes a request may be given, with what their work orders take from the catalogue."""
    return list(
        ProblemCode.objects.usable()
        .select_related("category", "standard_work_order")
        .order_by("pk")
    )


def agent_ids() -> list[int]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[roles.AGENT, roles.SUPERVISOR])
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def searched_types() -> set[str]:
    """The request types resolved only after a knowledge-base search (RequestTypeSetting)."""
    return {
        kind
        for kind in RequestType.values
        if RequestTypeSetting.for_type(kind).knowledge_search_required
    }


def ensure_agents(minimum: int, *, password: str, prefix: str = "agent") -> list[str]:
    """Create agents named agent001, agent002 ... until `minimum` agents exist; their names.

    They share one password hash: hashing is slow on purpose, and these are fake users.
    """
    missing = minimum - len(agent_ids())
    if missing <= 0:
        return []
    User = get_user_model()
    group = Group.objects.get(name=roles.AGENT)
    hashed = make_password(password)
    taken = set(User.objects.filter(username__startswith=prefix).values_list("username", flat=True))
    names: list[str] = []
    serial = 0
    while len(names) < missing:
        serial += 1
        name = f"{prefix}{serial:03d}"
        if name not in taken:
            names.append(name)
    users = User.objects.bulk_create(User(username=name, password=hashed) for name in names)
    if not all(user.pk for user in users):  # databases that do not return ids from bulk_create
        users = list(User.objects.filter(username__in=names))
    group.user_set.add(*users)
    return names


# Ids ---------------------------------------------------------------------------------------------


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for rows about to be written, taken from the table's own sequence, so that
    the desk never hands out the same id (and so the same request number) again."""
    if count <= 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        last = model.objects.aggregate(last=models.Max("pk"))["last"] or 0
        if connection.vendor == "sqlite":
            # AUTOINCREMENT remembers ids of deleted rows too; never hand those out again.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            last = max(last, row[0] if row else 0)
    return list(range(last + 1, last + 1 + count))


# Customers ---------------------------------------------------------------------------------------


def generate_customers(
    ids: Sequence[int],
    *,
    seed: int,
    now: datetime,
    days: int,
    phones: PhoneMaker | None = None,
    people: People | None = None,
) -> tuple[list[tuple], list[tuple], Callers]:
    """Customer rows, phone rows, and what requests need to copy from them."""
    rng = random.Random(f"{seed}-customers")
    phones = phones or PhoneMaker(random.Random(f"{seed}-phones"))
    people = people or People(seed, streets=STREETS)
    language = city.picker(rng, city.LANGUAGES)
    rows: list[tuple] = []
    phone_rows: list[tuple] = []
    callers = Callers()
    for pk in ids:
        lang = language()
        first, last = people.name(lang, rng)
        name = f"{first} {last}"
        email = people.email(first, last, pk, rng) if rng.random() < 0.55 else ""
        alias = ""
        if rng.random() < 0.03:
            alias, street = rng.choice(PLACES)
            address = f"{street}\n{POSTCODES[0]} {CITY}"
        elif rng.random() < 0.85:
            address = people.street_address(rng)
        else:
            address = ""
        count = 1 if rng.random() < 0.6 else (2 if rng.random() < 0.75 else 3)
        numbers = tuple(phones(mobile=rng.random() < 0.5) for _ in range(count))
        notes = rng.choice(city.NOTES) if rng.random() < 0.05 else ""
        created = now - timedelta(days=days + rng.random() * 1000)
        rows.append((pk, name, email, "", address, alias, lang, notes, created, created, 1))
        phone_rows.extend((pk, number, position) for position, number in enumerate(numbers))
        callers.ids.append(pk)
        callers.names.append(name)
        callers.phones.append(numbers)
        callers.emails.append(email)
        callers.addresses.append(address)
        callers.languages[pk] = lang
    return rows, phone_rows, callers


# Work orders -------------------------------------------------------------------------------------


class PlannedWorkOrder:
    """A generated work order: its whole course decided when it is opened."""

    __slots__ = ("address", "closes", "code", "completed", "fields", "id", "key", "opened")

    def __init__(
        self, code: ProblemCode, address: str, key: str, opened: datetime, closes: datetime
    ):
        self.code = code
        self.address = address
        self.key = key
        self.opened = opened
        self.closes = closes  # completed or cancelled at this moment, perhaps after now
        self.completed = False  # by now
        self.fields: tuple = ()  # its row from problem_code_id on, until it is written
        self.id: int | None = None


class WorkOrderBook:
    """The work orders generated action requests report to, opened in time order.

    A report links to the work order open for its problem and address key at its moment;
    otherwise it opens one. So at no moment are two open for one problem and address (the
    constraint the COPY would hit), counting those open in the database already
    (`already_open`: id, problem code id, address key, address, when it was opened): from the
    moment one of them was opened, reports link to it, and a work order opened before is done
    by then.
    """

    def __init__(
        self,
        *,
        seed: int,
        now: datetime,
        codes: Sequence[ProblemCode] = (),
        already_open: Iterable[tuple[int, int, str, str, datetime]] = (),
    ):
        self.rng = random.Random(f"{seed}-work-orders")
        self.now = now
        self.open: dict[tuple[int, str], PlannedWorkOrder] = {}
        self.already_open: dict[tuple[int, str], PlannedWorkOrder] = {}
        by_id = {code.pk: code for code in codes}
        for pk, code_id, key, address, opened in already_open:
            if code_id in by_id:  # reports of other codes are never generated
                work_order = PlannedWorkOrder(by_id[code_id], address, key, opened, NEVER)
                work_order.id = pk
                self.already_open[(code_id, key)] = work_order
        self.new: list[PlannedWorkOrder] = []
        # (moment, work order) of each report, oldest first; those before `first` are too old
        # to be reported again.
        self.recent: list[tuple[datetime, PlannedWorkOrder]] = []
        self.first = 0
        self.latest: datetime | None = None
        self.keys: dict[str, str] = {}  # address_key by address: few addresses, many reports
        self.under_way = 0

    def key(self, address: str) -> str:
        key = self.keys.get(address)
        if key is None:
            key = self.keys[address] = address_key(address)
        return key

    def report(
        self, code: ProblemCode, address: str, started: datetime, agent: int
    ) -> PlannedWorkOrder:
        """The work order for a report of this problem at this address."""
        key = self.key(address)
        place = (code.pk, key)
        work_order = self.open.get(place)
        if work_order is None or work_order.closes <= started:
            there = self.already_open.get(place)
            if there is not None and there.opened <= started:
                work_order = there
            else:
                # Done before the one in the database was opened (and by now).
                closed_by = min(there.opened, self.now) if there else NEVER
                work_order = self._open(code, address, key, started, agent, closed_by)
                self.new.append(work_order)
            self.open[place] = work_order
        self.recent.append((started, work_order))
        self.latest = started
        return work_order

    def repeat(self, started: datetime) -> PlannedWorkOrder | None:
        """A work order opened in the last days and still open, for another caller to report;
        None if there is none. The more callers one had, the likelier another one calls."""
        recent = self.recent
        oldest = started - city.REPEAT_WINDOW
        first = self.first
        while first < len(recent) and recent[first][0] < oldest:
            first += 1
        if first > 10_000 and first * 2 > len(recent):
            del recent[:first]
            first = 0
        self.first = first
        rand = self.rng.random
        for _ in range(3):  # those reported lately are often done already
            if first == len(recent):
                return None
            work_order = recent[first + int(rand() * (len(recent) - first))][1]
            # Only the first days: a long job's callers would otherwise grow without end.
            if work_order.closes > started and work_order.opened >= oldest:
                recent.append((started, work_order))
                self.latest = started
                return work_order
        return None

    def _open(
        self,
        code: ProblemCode,
        address: str,
        key: str,
        started: datetime,
        agent: int,
        closed_by: datetime,
    ) -> PlannedWorkOrder:
        rand = self.rng.random
        taken = work_order_from_code(code, started)
        due = taken["due_at"]
        span = due - started if due else city.DEFAULT_TURNAROUND
        cancelled = rand() < city.CANCELLED_SHARE
        if cancelled:
            closes = started + timedelta(hours=1 + 71 * rand())
        elif rand() < city.LATE_SHARE:
            closes = started + span * (1.05 + 0.8 * rand())
        else:
            closes = started + span * (0.15 + 0.8 * rand())
        closes = min(closes, closed_by)
        work_order = PlannedWorkOrder(code, address, key, started, closes)
        assignee = self.rng.choice(city.CREWS)
        notes = cancel_reason = ""
        closed_at = None
        if closes <= self.now:
            closed_at = closes
            if cancelled:
                status, assignee = WorkOrderStatus.CANCELLED, ""
                cancel_reason = self.rng.choice(city.CANCEL_REASONS)
            else:
                status = WorkOrderStatus.COMPLETED
                work_order.completed = True
        else:
            progress = (self.now - started) / (closes - started)
            if progress < 0.2:
                status, assignee = WorkOrderStatus.OPEN, ""
            elif self._next_is_on_hold():
                status = WorkOrderStatus.ON_HOLD
                notes = self.rng.choice(city.HOLD_NOTES)
            elif progress < 0.5:
                status = WorkOrderStatus.ASSIGNED
            else:
                status = WorkOrderStatus.IN_PROGRESS
        work_order.fields = (
            code.pk, *(taken[name] for name in FROM_CODE), address, key, taken["provider_id"],
            assignee, due, status, notes, cancel_reason, "", agent, started, closed_at, 1,
        )  # fmt: skip
        return work_order

    def _next_is_on_hold(self) -> bool:
        self.under_way += 1
        return self.under_way % city.ON_HOLD_EVERY == 0

    def take(self, work_order_ids: Callable[[int], Sequence[int]]) -> list[tuple]:
        """Rows of the work orders opened since the last call, in WORK_ORDER_COLUMNS order, with
        the primary keys work_order_ids gives; those closed by now are forgotten."""
        new, self.new = self.new, []
        ids = work_order_ids(len(new)) if new else []
        rows = []
        zone = timezone.get_current_timezone()
        for work_order, pk in zip(new, ids, strict=True):
            work_order.id = pk
            rows.append((pk, number_of("WO", pk, work_order.opened, zone), *work_order.fields))
            work_order.fields = ()
        if self.latest is not None:
            latest = self.latest
            self.open = {place: item for place, item in self.open.items() if item.closes > latest}
        return rows


# Requests ----------------------------------------------------------------------------------------


def generate_requests(
    ids: Sequence[int],
    times: Sequence[datetime],
    *,
    seed: int,
    now: datetime,
    agents: Sequence[int],
    codes: Sequence[ProblemCode],
    callers: Callers,
    work_order_ids: Callable[[int], Sequence[int]],
    open_work_orders: Iterable[tuple[int, int, str, str, datetime]] = (),
    people: People | None = None,
    searched: Iterable[str] = (RequestType.INFORMATION,),
    batch: int = 20_000,
) -> Iterator[tuple[list[tuple], Iterator[tuple]]]:
    """Work orders and requests, batch by batch: (work order rows, request rows).

    A batch holds the next `batch` requests in REQUEST_COLUMNS order (one per id, started at the
    given times) and the work orders they opened, in WORK_ORDER_COLUMNS order, with the primary
    keys `work_order_ids(count)` gives. Written in that order, each request's work order is
    there before the request. The batch size changes nothing in the rows. Reports may link to
    the work orders open already (see WorkOrderBook), never open a second one beside them.
    `searched`: the request types whose requests are resolved after a knowledge-base search.

    Use up a batch's requests before taking the next batch: while they are handed out, the
    next batch is generated, so that the database inserts one while Python makes the other.
    """
    if not agents:
        raise ValueError(
            "Generating requests needs agents: users in the Agent or Supervisor group."
        )
    if not codes:
        raise ValueError("Generating requests needs usable problem codes in the catalogue.")
    book = WorkOrderBook(seed=seed, now=now, codes=codes, already_open=open_work_orders)
    rows = _request_rows(
        ids,
        times,
        seed=seed,
        now=now,
        agents=agents,
        codes=codes,
        callers=callers,
        people=people or People(seed, streets=STREETS),
        searched=set(searched),
        book=book,
    )
    current = list(islice(rows, batch))
    while current:
        following: list[tuple] = []
        yield book.take(work_order_ids), _handed_out(current, rows, following)
        following += islice(rows, batch - len(following))
        current = following


def _handed_out(
    current: list[tuple], rows: Iterator[tuple], following: list[tuple]
) -> Iterator[tuple]:
    """The batch's request rows with their work orders' ids; after each, the next batch's next
    row is generated."""
    at = WORK_ORDER_OF_REQUEST
    for row in current:
        work_order = row[at]
        yield row if work_order is None else (*row[:at], work_order.id, *row[at + 1 :])
        after = next(rows, None)
        if after is not None:
            following.append(after)


def _request_rows(
    ids: Sequence[int],
    times: Sequence[datetime],
    *,
    seed: int,
    now: datetime,
    agents: Sequence[int],
    codes: Sequence[ProblemCode],
    callers: Callers,
    people: People,
    searched: set[str],
    book: WorkOrderBook,
) -> Iterator[tuple]:
    """Request rows, each action request's with its PlannedWorkOrder for the work order's id."""
    rng = random.Random(f"{seed}-requests")
    rand = rng.random
    request_type = city.picker(rng, city.REQUEST_TYPES)
    channel_of = city.picker(rng, city.CHANNELS)
    language = city.picker(rng, city.LANGUAGES)
    # Some agents take more calls than others; popular problem codes come up more often.
    agent = city.picker(rng, [(pk, 0.4 + rand() * 1.2) for pk in agents])
    shuffled = list(codes)
    rng.shuffle(shuffled)
    code = city.picker(rng, [(item, 1 / (rank + 1) ** 0.8) for rank, item in enumerate(shuffled)])
    known = len(callers)
    frequent = max(1, int(known * city.FREQUENT_CALLERS))
    zone = timezone.get_current_timezone()
    for pk, started in zip(ids, times, strict=True):
        number = number_of("CR", pk, started, zone)
        taker = agent()
        channel = channel_of()
        if rand() < city.DRAFT_SHARE:
            # Abandoned before anything was typed: still a contact, with its channel.
            yield (
                pk, number, RequestType.INFORMATION, channel, Status.OPEN, taker, started, None,
                None, "", "", "", None, None, "", "", "", "", None, None, False, None, 1, "",
            )  # fmt: skip
            continue
        kind = request_type()
        age = (now - started).total_seconds() / 86400
        recent = 1.0 if age < 3 else 0.5 if age < 14 else 0.15 if age < 45 else 0.03
        finished = started + timedelta(seconds=60 + 840 * rand() ** 1.5)
        due = assignee = None
        fcr = False
        if rand() < PENDING[kind] * recent:
            if rand() < 0.35:
                status = Status.FOLLOW_UP
                due = started + timedelta(hours=20 + 76 * rand())
                assignee = taker if rand() < 0.7 else agent()
            else:
                status = Status.OPEN
        else:
            fcr = rand() < city.FIRST_CONTACT[kind]
            if kind == RequestType.COMMENT or rand() < (0.2 if age < 14 else 0.6):
                status = Status.CLOSED
            else:
                status = Status.RESOLVED

        customer_id = None
        name = phone = email = address = ""
        if known and rand() < city.CUSTOMER_SHARE:
            index = int(rand() * frequent) if rand() < city.FREQUENT_SHARE else int(rand() * known)
            customer_id = callers.ids[index]
            name = callers.names[index]
            numbers = callers.phones[index]
            phone = numbers[0] if len(numbers) == 1 else rng.choice(numbers)
            email = callers.emails[index]
            address = callers.addresses[index]
        elif channel != Channel.WALK_IN and rand() < 0.5:
            # A caller the desk does not know, who gave no number or address (one who gave
            # either would have become a customer).
            name = " ".join(people.name(language(), rng))

        problem = work_order = None
        work_address = description = comment = answer = ""
        if kind == RequestType.ACTION:
            work_order = book.repeat(started) if rand() < city.REPEAT_SHARE else None
            if work_order is not None:
                chosen = work_order.code
                work_address = city.written_otherwise(work_order.address, rng)
            else:
                chosen = code()
                if address and rand() < 0.5:
                    work_address = address
                elif rand() < 0.1:
                    place, street = rng.choice(PLACES)
                    work_address = f"{place}, {street}"
                else:
                    work_address = people.street_address(rng)
                work_order = book.report(chosen, work_address, started, taker)
            if work_order.completed and status not in DONE:
                # Its caller was told when it was done: the request is resolved.
                status, due, assignee = Status.RESOLVED, None, None
            problem = chosen.pk
            description = f"{chosen.name}. {rng.choice(city.DETAILS)}".strip()
        elif kind == RequestType.COMMENT:
            comment = rng.choice(city.COMMENTS)
        else:
            answer = rng.choice(city.QUESTIONS)[1]
        searched_at = finished if kind in searched else None
        yield (
            pk, number, kind, channel, status, taker, started, finished, customer_id, name,
            phone, email, problem, work_order, work_address, description, comment, answer, due,
            assignee, fcr, searched_at, 2, book.key(work_address) if work_order else "",
        )  # fmt: skip


# Feedback ----------------------------------------------------------------------------------------


def feedback_asking() -> dict[str, set[str]]:
    """The channels that ask for feedback, by request type (FeedbackSetting)."""
    return {
        setting.request_type: set(setting.channels) for setting in FeedbackSetting.objects.all()
    }


class FeedbackPlanner:
    """Feedback on the generated requests, decided as the services decide it (feedback.services:
    once per customer in 30 days, never after a no, only with an address) as the request rows go
    by in time order, and answered as demo.feedback answers."""

    def __init__(self, *, seed: int, now: datetime, asking: dict[str, set[str]], callers: Callers):
        self.rng = random.Random(f"{seed}-feedback")
        self.now = now
        self.asking = asking
        self.languages = callers.languages
        self.last_asked: dict[int, datetime] = dict(
            FeedbackInvitation.objects.values_list("customer_id").annotate(
                last=models.Max("asked_at")
            )
        )
        self.said_no = set(FeedbackOptOut.objects.values_list("customer_id", flat=True))
        self.invitations: list[list] = []  # INVITATION_COLUMNS without the id, first
        self.answers: list[tuple] = []  # (index of the invitation, values)
        self.opt_outs: list[tuple] = []

    def tap(self, rows: Iterable[tuple]) -> Iterator[tuple]:
        """The request rows, unchanged; each one finished is considered on its way."""
        at = {name: index for index, name in enumerate(REQUEST_COLUMNS)}
        for row in rows:
            yield row
            if row[at["status"]] in DONE and row[at["customer_id"]] and row[at["caller_email"]]:
                self._consider(row, at)

    def _consider(self, row: tuple, at: dict[str, int]) -> None:
        kind, channel = row[at["request_type"]], row[at["channel"]]
        if channel not in self.asking.get(kind, ()):
            return
        customer, asked = row[at["customer_id"]], row[at["finished_at"]]
        last = self.last_asked.get(customer)
        if customer in self.said_no or (last and asked - last <= ASK_AGAIN):
            return
        sent = asked + timedelta(minutes=1 + 9 * self.rng.random())
        if sent > self.now:
            return
        self.last_asked[customer] = asked
        language = self.languages.get(customer, "en")
        problem, agent = row[at["problem_code_id"]], row[at["agent_id"]]
        invitation = [
            row[at["id"]], customer, row[at["caller_email"]], language, kind, channel, agent,
            problem, asked, sent, asked + timedelta(days=ANSWER_WITHIN_DAYS),
        ]  # fmt: skip
        self.invitations.append(invitation)
        if self.rng.random() >= city.FEEDBACK_RESPONSE_RATE:
            return
        answered = sent + timedelta(hours=0.2 + 71.8 * self.rng.random())
        if answered > self.now:
            return
        values, opt_out = answer_values(self.rng, row[at["first_contact_resolution"]], language)
        self.answers.append(
            (
                len(self.invitations) - 1,
                (
                    values["satisfaction"],
                    values["effort"],
                    values["recommend"],
                    values["comment"],
                    answered,
                    asked,
                    kind,
                    channel,
                    agent,
                    problem,
                ),
            )  # fmt: skip
        )
        if opt_out:
            self.said_no.add(customer)
            self.opt_outs.append((customer, answered))

    def write(self) -> tuple[int, int]:
        """Insert the invitations, answers and opt-outs; how many invitations and answers."""
        ids = reserve_ids(FeedbackInvitation, len(self.invitations))
        invitations = [(pk, *row) for pk, row in zip(ids, self.invitations, strict=True)]
        written = write_rows(
            FeedbackInvitation, INVITATION_COLUMNS, invitations, total=len(invitations)
        )
        answers = [(ids[index], *values) for index, values in self.answers]
        answered = write_rows(FeedbackAnswer, ANSWER_COLUMNS, answers, total=len(answers))
        write_rows(FeedbackOptOut, OPT_OUT_COLUMNS, self.opt_outs, total=len(self.opt_outs))
        return written, answered


ASK_AGAIN = timedelta(days=ASK_AGAIN_AFTER_DAYS)


# Writing rows ------------------------------------------------------------------------------------


def write_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[tuple],
    *,
    total: int,
    progress: Progress | None = None,
    every: int = PROGRESS_EVERY,
) -> int:
    """Insert the rows: by COPY on PostgreSQL, by bulk_create elsewhere. The count written."""
    label = model._meta.verbose_name_plural
    if connection.vendor == "postgresql":
        written = _copy(model, columns, rows, label, total, progress, every)
    else:
        written = _bulk_create(model, columns, rows, label, total, progress, every)
        if "id" in columns:
            # Ids were given explicitly; make the sequence carry on after them where the
            # database does not do that by itself (SQLite's AUTOINCREMENT does).
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                    cursor.execute(statement)
    if progress:
        progress(label, written, total)
    return written


def _copy(model, columns, rows, label, total, progress, every) -> int:
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(column).column) for column in columns)
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            written += 1
            if progress and written % every == 0 and written < total:
                progress(label, written, total)
    return written


def _bulk_create(model, columns, rows, label, total, progress, every, batch_size=2000) -> int:
    # bulk_create sets auto_now(_add) fields to the present; the generated moments are put back.
    stamped = [
        column
        for column in columns
        if getattr(model._meta.get_field(column), "auto_now", False)
        or getattr(model._meta.get_field(column), "auto_now_add", False)
    ]
    written = 0
    batch: list[tuple] = []

    def flush():
        nonlocal written
        objects = [model(**dict(zip(columns, row, strict=True))) for row in batch]
        model.objects.bulk_create(objects, batch_size=batch_size)
        if stamped:
            for obj, row in zip(objects, batch, strict=True):
                for column in stamped:
                    setattr(obj, column, row[columns.index(column)])
            model.objects.bulk_update(objects, stamped, batch_size=500)
        before = written
        written += len(batch)
        if progress and written // every > before // every and written < total:
            progress(label, written, total)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return written


# Loading -----------------------------------------------------------------------------------------


@transaction.atomic
def load_volume(
    *,
    customers: int,
    requests: int,
    days: int,
    seed: int = 1,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> VolumeSummary:
    """Generate and insert `customers` customers and `requests` requests over `days` days, and
    the work orders of the action requests.

    Needs usable problem codes and at least one agent (see ensure_agents); all or nothing.
    """
    if days < 1:
        raise ValueError("days must be at least 1.")
    now = now or timezone.now()
    agents = agent_ids()
    codes = usable_codes()
    people = People(seed, streets=STREETS)
    if requests and (not agents or not codes):
        raise ValueError(
            "Generating requests needs usable problem codes and users in the Agent or "
            "Supervisor group."
        )
    summary = VolumeSummary()
    customer_rows, phone_rows, callers = generate_customers(
        reserve_ids(Customer, customers), seed=seed, now=now, days=days, people=people
    )
    summary.customers = write_rows(
        Customer, CUSTOMER_COLUMNS, customer_rows, total=customers, progress=progress
    )
    del customer_rows
    summary.phones = write_rows(
        CustomerPhone, PHONE_COLUMNS, phone_rows, total=len(phone_rows), progress=progress
    )
    del phone_rows
    times = city.request_times(requests, seed=seed, now=now, days=days)
    batches = generate_requests(
        reserve_ids(CustomerRequest, requests),
        times,
        seed=seed,
        now=now,
        agents=agents,
        codes=codes,
        callers=callers,
        work_order_ids=lambda count: reserve_ids(WorkOrder, count),
        open_work_orders=list(
            WorkOrder.objects.active()
            .filter(duplicate_reason="")
            .values_list("pk", "problem_code_id", "address_key", "address", "created_at")
        ),
        people=people,
        searched=searched_types(),
    )
    feedback = FeedbackPlanner(seed=seed, now=now, asking=feedback_asking(), callers=callers)
    # Each batch's work orders first: its requests refer to them.
    for work_order_rows, request_rows in batches:
        summary.work_orders += write_rows(
            WorkOrder, WORK_ORDER_COLUMNS, work_order_rows, total=len(work_order_rows)
        )
        before = summary.requests
        summary.requests += write_rows(
            CustomerRequest, REQUEST_COLUMNS, feedback.tap(request_rows), total=requests
        )
        passed = summary.requests // PROGRESS_EVERY > before // PROGRESS_EVERY
        if progress and (passed or summary.requests == requests):
            progress(CustomerRequest._meta.verbose_name_plural, summary.requests, requests)
    if progress and requests:
        progress(WorkOrder._meta.verbose_name_plural, summary.work_orders, summary.work_orders)
    summary.invitations, summary.answers = feedback.write()
    if progress and summary.invitations:
        progress(FeedbackAnswer._meta.verbose_name_plural, summary.answers, summary.answers)
    return summary


def analyze() -> None:
    """Fresh planner statistics after a big load (PostgreSQL; elsewhere nothing to do)."""
    if connection.vendor != "postgresql":
        return
    loaded = (
        Customer,
        CustomerPhone,
        WorkOrder,
        CustomerRequest,
        FeedbackInvitation,
        FeedbackAnswer,
        FeedbackOptOut,
    )
    tables = [model._meta.db_table for model in loaded]
    # VACUUM also sets the visibility map, so that index-only scans work at once; it cannot
    # run inside a transaction, where ANALYZE alone has to do.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
