"""Realistic customers and customer requests in volume: the demo data and the benchmark data.

One generator, two ways into the database: PostgreSQL's COPY (a million requests in a few
minutes, see `manage.py generate_volume`) and bulk_create on any other database. Both write the
same rows: the generator hands out plain tuples, and the writer only decides how they travel.

What the data looks like, so that lists, look-ups and reports have something true to show:

- Customers: a name, one to three phone numbers valid in settings.PHONE_DEFAULT_REGION and
  stored in E.164 (for Germany: Berlin, Hamburg, Munich, Frankfurt, Cologne and mobile numbers),
  an e-mail address for about half of them, a postal address in one of a few streets, an address
  alias ("City Hall") for a few, a preferred language (mostly English, some German and
  Norwegian) and now and then a note.
- Requests over the last `days` days, more on weekdays and in office hours, a little more
  recently than a year ago. About 50 % information, 35 % action (each with a usable problem
  code, popular codes more often), 15 % comments; by phone mostly, then e-mail, web, walk-in
  and fax. Most are resolved or closed, about 70 % of those in the first contact; the newest are
  more often still open or waiting for a callback (a due date, some overdue, and an agent who
  calls back). Handling times 1 to 15 minutes. About 2 % are abandoned empty drafts: open, no
  details, not finished. About 70 % are linked to a customer, with the caller's name, phone and
  e-mail copied from them; the rest have only what an anonymous caller gave.
- Work orders: every action request has a work address (a street like the customers'; for many
  known callers their own postal address; now and then a public place) and belongs to a work
  order, as workorders.services.work_order_create_or_link makes them: the first report of a
  problem at a place opens one (at that request's time, by its agent, title, instructions,
  trade and priority from the code's standard work order, due after the code's turnaround).
  About one action request in four reports a problem already open at its place and links to
  that work order (about 1.3 requests per work order; some have three callers or more); its
  caller may write the address another way ("Hauptstr. 12" for "Hauptstraße 12"), never so
  that the address_key differs. The work orders' course follows time: the older ones mostly
  completed a few days after they were opened (mostly before they were due, some late), about
  one in twenty cancelled with a reason, the newer ones open, assigned, in progress or on hold,
  some of them overdue. Only one is ever open per problem and address (WorkOrder's constraint);
  a place may have several completed or cancelled ones. Requests of a completed work order are
  resolved or closed.
- The work address's key (request_save's work_address_key, for the list's search): the
  work order's address_key, which its requests share.
- Numbers as requests_app.services.request_start and workorders.services make them:
  CR-<local year>-<pk:06d> and WO-<local year>-<pk:06d>, the primary keys reserved from the
  tables' sequences first, so a number never collides with one the desk hands out.
- Agents: the users in the Agent and Supervisor groups, some busier than others.

Deterministic: the same seed, moment (`now`), catalogue, agents, reserved ids and open work
orders give the same rows. No history (RequestChange, WorkOrderChange) rows are generated.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from callcenter import roles
from hierarchy.models import Priority, ProblemCode
from requests_app.models import (
    Channel,
    Customer,
    CustomerPhone,
    CustomerRequest,
    RequestType,
    Status,
)
from workorders.addresses import address_key
from workorders.models import WorkOrder, WorkOrderStatus

Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 100_000  # rows

# The national significant numbers phonenumbers accepts as valid German numbers: the prefix
# after +49, how many digits follow it, and how often it is drawn.
GERMAN_LANDLINES = [("30", 8, 40), ("40", 8, 15), ("89", 8, 10), ("69", 8, 6), ("221", 8, 6)]
GERMAN_MOBILES = [("151", 8, 10), ("160", 8, 6), ("170", 8, 6), ("176", 8, 10), ("1520", 7, 5)]

FIRST_NAMES = {
    "en": [
        "Anna", "James", "Emily", "Michael", "Sarah", "David", "Laura", "Thomas", "Olivia",
        "Daniel", "Sophie", "Peter", "Hannah", "Paul", "Julia", "Mark", "Emma", "Lucas",
        "Maria", "Jonas", "Lea", "Ali", "Fatma", "Mehmet", "Elena", "Ivan", "Noah", "Mia",
    ],
    "de": [
        "Klaus", "Sabine", "Jürgen", "Ursula", "Stefan", "Monika", "Andreas", "Petra",
        "Matthias", "Katrin", "Lukas", "Leonie", "Felix", "Marie", "Jörg", "Birgit",
    ],
    "nb": [
        "Ola", "Kari", "Lars", "Ingrid", "Håkon", "Sigrid", "Bjørn", "Solveig", "Erik",
        "Astrid", "Magnus", "Nora",
    ],
}  # fmt: skip
LAST_NAMES = {
    "en": [
        "Smith", "Miller", "Schmidt", "Müller", "Schneider", "Fischer", "Weber", "Meyer",
        "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Brown",
        "Taylor", "Wilson", "Yilmaz", "Kaya", "Nowak", "Kowalski", "Rossi", "Novak",
        "Johnson", "Walker", "Lange", "Krüger", "Hartmann",
    ],
    "de": [
        "Schäfer", "Bauer", "Zimmermann", "Braun", "Hofmann", "Schröder", "Neumann", "Schwarz",
        "Krause", "Werner", "Lehmann", "Köhler", "Maier", "Huber", "Fuchs", "Vogel",
    ],
    "nb": [
        "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
        "Jensen", "Karlsen", "Berg", "Haugen", "Dahl", "Lie", "Strand", "Bakken",
    ],
}  # fmt: skip
LANGUAGES = [("en", 80), ("de", 15), ("nb", 5)]
MAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com"]
STREETS = [
    "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Lindenallee",
    "Gartenweg", "Kirchplatz", "Marktstraße", "Rosenweg", "Am Stadtpark", "Bergstraße",
    "Wiesenweg", "Friedrichstraße", "Mühlenweg", "Schulstraße", "Ringstraße", "Uferstraße",
    "Ahornweg", "Parkstraße", "Waldstraße",
]  # fmt: skip
POSTCODES = ["10115", "10117", "10119", "10178", "10243", "10247", "10405", "10435", "10551"]
CITY = "Berlin"
# Popular names of places and where they are: an address alias on a customer, and a work address.
PLACES = [
    ("City Hall", "Rathausplatz 1"),
    ("Central Library", "Bibliotheksplatz 3"),
    ("Main Station", "Europaplatz 1"),
    ("Old Market", "Alter Markt 5"),
    ("Community Centre North", "Nordring 40"),
    ("Riverside Sports Hall", "Uferstraße 112"),
    ("Town Hall Annex", "Rathausplatz 4"),
]
NOTES = [
    "Prefers a call back in the afternoon.",
    "Hard of hearing: speak slowly and clearly.",
    "Caretaker of the building; reports for all tenants.",
    "Calls often about the same street lights.",
    "Asked not to be contacted by e-mail.",
    "Speaks little English; German is fine.",
]
ANSWERS = [
    "Read out the bulky waste rules and the next collection date for the street.",
    "Gave the opening hours of the recycling centre: Monday to Saturday, 8 to 18.",
    "Gave the phone number of the registry office.",
    "Explained how to order an extra bin online and sent the link.",
    "Told the caller the road works end on Friday, as published.",
    "Explained the water bill and the meter reading dates.",
    "Read the script on hazardous waste: the mobile collection comes on the first Saturday.",
    "Gave the link to the parking permit application.",
    "Explained that the tree belongs to a private property; the owner is responsible.",
    "Told the caller the collection was moved by one day because of the public holiday.",
    "Gave the address and opening hours of the citizens' office.",
    "Explained how to report a lost dog to the animal shelter and gave its number.",
]
DETAILS = [
    "Caller says it has been like this for two days.",
    "Next to the bus stop.",
    "In front of the school entrance; children pass every morning.",
    "Reported by several neighbours.",
    "Caller will be at home all day.",
    "On the corner, opposite the pharmacy.",
    "Blocking half of the pavement.",
    "Third time this month according to the caller.",
    "Caller sent a photo by e-mail.",
    "",
]
COMMENTS = [
    "Thanks the crew for the quick pickup last week.",
    "Complains that the collection truck blocks the street every Tuesday morning.",
    "Praises the agent who helped with the bulky waste appointment.",
    "Finds the new opening hours of the recycling centre too short.",
    "Suggests more litter bins in the park.",
    "Unhappy that nobody called back last time.",
    "Likes the new street lights: the street feels safer.",
    "Says the website's form was hard to find.",
]

# Shares, as weights: the realistic mix the issue asks for.
REQUEST_TYPES = [(RequestType.INFORMATION, 50), (RequestType.ACTION, 35), (RequestType.COMMENT, 15)]
CHANNELS = [
    (Channel.PHONE, 60),
    (Channel.EMAIL, 18),
    (Channel.WEB, 12),
    (Channel.WALK_IN, 6),
    (Channel.FAX, 4),
]
WEEKDAYS = [1.15, 1.05, 1.0, 1.0, 0.9, 0.3, 0.15]  # Monday first
HOURS = [
    0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.15, 0.6, 1.2, 1.6, 1.7, 1.5,
    1.1, 1.3, 1.4, 1.2, 0.9, 0.6, 0.35, 0.2, 0.12, 0.08, 0.05, 0.04,
]  # fmt: skip
DRAFT_SHARE = 0.02
CUSTOMER_SHARE = 0.70
# Of the requests still open or waiting for a callback: how likely, by type, for the newest.
PENDING = {RequestType.INFORMATION: 0.08, RequestType.ACTION: 0.45, RequestType.COMMENT: 0.0}
# Of the finished ones: how likely resolved in the first contact, by type (about 70 % overall).
FIRST_CONTACT = {RequestType.INFORMATION: 0.82, RequestType.ACTION: 0.40, RequestType.COMMENT: 1.0}
FREQUENT_CALLERS = 0.02  # this share of customers ...
FREQUENT_SHARE = 0.20  # ... makes this share of the calls from known customers

# Work orders. Of the action requests, this share reports again a problem already open at a place
# (about 1.3 requests per work order in the end). The problem is drawn from the reports of the
# last days, so that one with more callers is likelier to get another.
REPEAT_SHARE = 0.24
REPEAT_WINDOW = timedelta(days=5)
CANCELLED_SHARE = 0.05
LATE_SHARE = 0.15  # completed after the due date
# One in twelve of those under way now is on hold: counted, not drawn, so that every demo, on
# whatever day it is loaded, has some to show (drawn, some hours of a day had none).
ON_HOLD_EVERY = 12
# Without a turnaround in the catalogue a work order takes about this long.
DEFAULT_TURNAROUND = timedelta(days=7)
NEVER = datetime.max.replace(tzinfo=UTC)
CREWS = [
    "Crew North", "Crew South", "Crew East", "Crew West", "Night crew",
    "Nordbau GmbH (contractor)", "Grünpflege Berlin (contractor)",
]  # fmt: skip
CANCEL_REASONS = [
    "Caller withdrew the report.",
    "Private property: the owner is responsible.",
    "Crew found nothing to fix on site.",
    "Fixed by the utility company before the crew arrived.",
    "Reported at the wrong address; the right one has its own work order.",
]
HOLD_NOTES = [
    "Waiting for parts from the supplier.",
    "Waiting for the utility company to mark its cables.",
    "Needs a road closure permit.",
    "Work resumes when the weather allows.",
]

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
WORK_ORDER_OF_REQUEST = REQUEST_COLUMNS.index("work_order_id")


@dataclass
class VolumeSummary:
    customers: int = 0
    phones: int = 0
    requests: int = 0
    work_orders: int = 0


@dataclass
class Callers:
    """What a request copies from its customer, by position in the generated list."""

    ids: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    phones: list[tuple[str, ...]] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Code:
    id: int
    name: str
    # What its work orders copy from the catalogue, and how long after opening they are due.
    provider_id: int | None = None
    title: str = ""
    instructions: str = ""
    trade: str = ""
    priority: int = Priority.NORMAL.value
    turnaround: timedelta | None = None


# Phone numbers ------------------------------------------------------------------------------------


class PhoneMaker:
    """Valid numbers of the default region in E.164, never the same one twice."""

    def __init__(self, rng: random.Random, region: str | None = None):
        self.rng = rng
        region = region or settings.PHONE_DEFAULT_REGION
        self.country_code = phonenumbers.country_code_for_region(region)
        self.used: set[str] = set()
        # The German table is known to be valid (the tests check it); other regions' numbers
        # are derived from phonenumbers' examples and checked one by one.
        self.check = region != "DE"
        if region == "DE":
            self.landlines = self._templates(GERMAN_LANDLINES)
            self.mobiles = self._templates(GERMAN_MOBILES)
        else:
            self.landlines = self._example(region, phonenumbers.PhoneNumberType.FIXED_LINE)
            self.mobiles = self._example(region, phonenumbers.PhoneNumberType.MOBILE)
            self.mobiles = self.mobiles or self.landlines

    @staticmethod
    def _templates(table) -> list[tuple[int, int]]:
        """(prefix × 10^digits, 10^digits) per entry, repeated by weight for a cheap choice."""
        return [
            (int(prefix) * 10**digits, 10**digits)
            for prefix, digits, weight in table
            for _ in range(weight)
        ]

    def _example(self, region: str, kind) -> list[tuple[int, int]]:
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            return []
        span = 10 ** min(4, len(str(example.national_number)) - 2)
        return [(example.national_number - example.national_number % span, span)]

    def __call__(self, mobile: bool) -> str:
        templates = self.mobiles if mobile else self.landlines
        while True:
            base, span = self.rng.choice(templates)
            # Subscriber numbers start with 2-9, as real ones do.
            national = base + self.rng.randrange(span // 5, span)
            number = phonenumbers.format_number(
                phonenumbers.PhoneNumber(country_code=self.country_code, national_number=national),
                phonenumbers.PhoneNumberFormat.E164,
            )
            if number not in self.used and (not self.check or self._valid(number)):
                self.used.add(number)
                return number

    @staticmethod
    def _valid(number: str) -> bool:
        return phonenumbers.is_valid_number(phonenumbers.parse(number))


# The catalogue and the agents ---------------------------------------------------------------------


def usable_codes() -> list[Code]:
    """The usable codes with what their work orders take over, as workorders.services does."""
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    codes = []
    for code in ProblemCode.objects.usable().select_related("category", "standard_work_order"):
        template = code.standard_work_order
        promise = code.promise_dates(epoch)
        due = promise["permanent"] or promise["temporary"]
        codes.append(
            Code(
                code.pk,
                code.name,
                provider_id=code.category.provider_id,
                title=template.title if template else code.name,
                instructions=template.instructions if template else code.description,
                trade=template.trade if template else "",
                priority=template.priority if template else code.priority,
                turnaround=due - epoch if due else None,
            )
        )
    return codes


def agent_ids() -> list[int]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[roles.AGENT, roles.SUPERVISOR])
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


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


# Generating rows ---------------------------------------------------------------------------------


def _picker(rng: random.Random, weighted: Sequence[tuple]) -> Callable[[], object]:
    values = [value for value, _ in weighted]
    weights = [weight for _, weight in weighted]
    cumulative = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    choices = rng.choices

    def pick():
        return choices(values, cum_weights=cumulative)[0]

    return pick


def _ascii(text: str) -> str:
    for letter, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("å", "aa")):
        text = text.replace(letter, plain)
    return text.replace("ø", "o").replace("æ", "ae")


def _street_address(rng: random.Random) -> str:
    return f"{rng.choice(STREETS)} {rng.randint(1, 120)}\n{rng.choice(POSTCODES)} {CITY}"


def generate_customers(
    ids: Sequence[int], *, seed: int, now: datetime, days: int, phones: PhoneMaker | None = None
) -> tuple[list[tuple], list[tuple], Callers]:
    """Customer rows, phone rows, and what requests need to copy from them."""
    rng = random.Random(f"{seed}-customers")
    phones = phones or PhoneMaker(random.Random(f"{seed}-customer-phones"))
    language = _picker(rng, LANGUAGES)
    rows: list[tuple] = []
    phone_rows: list[tuple] = []
    callers = Callers()
    for pk in ids:
        lang = language()
        first = rng.choice(FIRST_NAMES[lang] if rng.random() < 0.7 else FIRST_NAMES["en"])
        last = rng.choice(LAST_NAMES[lang] if rng.random() < 0.7 else LAST_NAMES["en"])
        name = f"{first} {last}"
        email = ""
        if rng.random() < 0.55:
            email = f"{_ascii(first.lower())}.{_ascii(last.lower())}{pk}@{rng.choice(MAIL_DOMAINS)}"
        alias = ""
        if rng.random() < 0.03:
            alias, street = rng.choice(PLACES)
            address = f"{street}\n{POSTCODES[0]} {CITY}"
        elif rng.random() < 0.85:
            address = _street_address(rng)
        else:
            address = ""
        count = 1 if rng.random() < 0.6 else (2 if rng.random() < 0.75 else 3)
        numbers = tuple(phones(mobile=rng.random() < 0.5) for _ in range(count))
        notes = rng.choice(NOTES) if rng.random() < 0.05 else ""
        created = now - timedelta(days=days + rng.random() * 1000)
        rows.append((pk, name, email, "", address, alias, lang, notes, created, created, 1))
        phone_rows.extend((pk, number, position) for position, number in enumerate(numbers))
        callers.ids.append(pk)
        callers.names.append(name)
        callers.phones.append(numbers)
        callers.emails.append(email)
        callers.addresses.append(address)
    return rows, phone_rows, callers


def request_times(count: int, *, seed: int, now: datetime, days: int) -> list[tuple[datetime, int]]:
    """When each request started, oldest first, with its local year (for the number)."""
    rng = random.Random(f"{seed}-times")
    zone = timezone.get_default_timezone()
    today: date = timezone.localtime(now, zone).date()
    # Local midnight of each day as a UTC timestamp; a day's DST shift is ignored (it happens at
    # night, when hardly anyone calls).
    midnights = []
    years = []
    weights = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        midnights.append(datetime.combine(day, time(0), tzinfo=zone).timestamp())
        years.append(day.year)
        weights.append(WEEKDAYS[day.weekday()] * (1.2 - 0.2 * offset / days))
    latest = now.timestamp() - 20 * 60  # the newest ones finished by now
    day_choice = rng.choices(range(days), weights=weights, k=count)
    hour_choice = rng.choices(range(24), weights=HOURS, k=count)
    moments = []
    for offset, hour in zip(day_choice, hour_choice, strict=True):
        stamp = midnights[offset] + hour * 3600 + rng.random() * 3600
        tries = 0
        while stamp > latest:  # today, later than now: draw again
            tries += 1
            offset = rng.randrange(days)
            stamp = midnights[offset] + rng.choices(range(24), weights=HOURS)[0] * 3600
            stamp += rng.random() * 3600
            if tries > 20:
                stamp, offset = latest - rng.random() * 3600, 0
        moments.append((stamp, years[offset]))
    moments.sort()
    return [(datetime.fromtimestamp(stamp, UTC), year) for stamp, year in moments]


# Work orders -------------------------------------------------------------------------------------


class PlannedWorkOrder:
    """A generated work order: its whole course decided when it is opened."""

    __slots__ = ("address", "closes", "code", "completed", "fields", "id", "key", "opened", "year")

    def __init__(
        self, code: Code, address: str, key: str, opened: datetime, year: int, closes: datetime
    ):
        self.code = code
        self.address = address
        self.key = key
        self.opened = opened
        self.year = year
        self.closes = closes  # completed or cancelled at this moment, perhaps after now
        self.completed = False  # by now
        self.fields: tuple = ()  # its row from problem_code_id on, until it is written
        self.id: int | None = None


class WorkOrderBook:
    """The work orders generated action requests report to, opened in time order.

    A report links to the work order open for its problem and address key at its moment, as
    workorders.services.work_order_create_or_link does; otherwise it opens one. So at no moment
    are two open for one problem and address, counting those open in the database already
    (`already_open`: id, problem code id, address key, address, when it was opened): from the
    moment one of them was opened, reports link to it, and a work order opened before is done
    by then.
    """

    def __init__(
        self,
        *,
        seed: int,
        now: datetime,
        codes: Sequence[Code] = (),
        already_open: Iterable[tuple[int, int, str, str, datetime]] = (),
    ):
        self.rng = random.Random(f"{seed}-work-orders")
        self.now = now
        self.open: dict[tuple[int, str], PlannedWorkOrder] = {}
        self.already_open: dict[tuple[int, str], PlannedWorkOrder] = {}
        by_id = {code.id: code for code in codes}
        for pk, code_id, key, address, opened in already_open:
            if code_id in by_id:  # reports of other codes are never generated
                work_order = PlannedWorkOrder(by_id[code_id], address, key, opened, 0, NEVER)
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

    def report(
        self, code: Code, address: str, started: datetime, year: int, agent: int
    ) -> PlannedWorkOrder:
        """The work order for a report of this problem at this address."""
        key = self.keys.get(address)
        if key is None:
            key = self.keys[address] = address_key(address)
        place = (code.id, key)
        work_order = self.open.get(place)
        if work_order is None or work_order.closes <= started:
            there = self.already_open.get(place)
            if there is not None and there.opened <= started:
                work_order = there
            else:
                # Done before the one in the database was opened (and by now).
                closed_by = min(there.opened, self.now) if there else NEVER
                work_order = self._open(code, address, key, started, year, agent, closed_by)
                self.new.append(work_order)
            self.open[place] = work_order
        self.recent.append((started, work_order))
        self.latest = started
        return work_order

    def repeat(self, started: datetime) -> PlannedWorkOrder | None:
        """A work order opened in the last days and still open, for another caller to report;
        None if there is none. The more callers one had, the likelier another one calls."""
        recent = self.recent
        oldest = started - REPEAT_WINDOW
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
        code: Code,
        address: str,
        key: str,
        started: datetime,
        year: int,
        agent: int,
        closed_by: datetime,
    ) -> PlannedWorkOrder:
        rand = self.rng.random
        due = started + code.turnaround if code.turnaround else None
        span = code.turnaround or DEFAULT_TURNAROUND
        cancelled = rand() < CANCELLED_SHARE
        if cancelled:
            closes = started + timedelta(hours=1 + 71 * rand())
        elif rand() < LATE_SHARE:
            closes = started + span * (1.05 + 0.8 * rand())
        else:
            closes = started + span * (0.15 + 0.8 * rand())
        closes = min(closes, closed_by)
        work_order = PlannedWorkOrder(code, address, key, started, year, closes)
        assignee = self.rng.choice(CREWS)
        notes = cancel_reason = ""
        closed_at = None
        if closes <= self.now:
            closed_at = closes
            if cancelled:
                status, version, assignee = WorkOrderStatus.CANCELLED, 2, ""
                cancel_reason = self.rng.choice(CANCEL_REASONS)
            else:
                status, version = WorkOrderStatus.COMPLETED, 4
                work_order.completed = True
        else:
            progress = (self.now - started) / (closes - started)
            if progress < 0.2:
                status, version, assignee = WorkOrderStatus.OPEN, 1, ""
            elif self._next_is_on_hold():
                status, version = WorkOrderStatus.ON_HOLD, 3
                notes = self.rng.choice(HOLD_NOTES)
            elif progress < 0.5:
                status, version = WorkOrderStatus.ASSIGNED, 2
            else:
                status, version = WorkOrderStatus.IN_PROGRESS, 3
        work_order.fields = (
            code.id, code.title or code.name, code.instructions, code.trade, code.priority,
            address, key, code.provider_id, assignee, due, status, notes, cancel_reason, "",
            agent, started, closed_at, version,
        )  # fmt: skip
        return work_order

    def _next_is_on_hold(self) -> bool:
        self.under_way += 1
        return self.under_way % ON_HOLD_EVERY == 0

    def take(self, work_order_ids: Callable[[int], Sequence[int]]) -> list[tuple]:
        """Rows of the work orders opened since the last call, in WORK_ORDER_COLUMNS order, with
        the primary keys work_order_ids gives; those closed by now are forgotten."""
        new, self.new = self.new, []
        ids = work_order_ids(len(new)) if new else []
        rows = []
        for work_order, pk in zip(new, ids, strict=True):
            work_order.id = pk
            rows.append((pk, f"WO-{work_order.year}-{pk:06d}", *work_order.fields))
            work_order.fields = ()
        if self.latest is not None:
            latest = self.latest
            self.open = {place: item for place, item in self.open.items() if item.closes > latest}
        return rows


def _written_otherwise(address: str, rng: random.Random) -> str:
    """The same place as another caller gives it: the same address_key, maybe other words."""
    if rng.random() < 0.5:
        return address
    text = address.replace("\n", ", ")
    if rng.random() < 0.5:
        text = text.replace("straße", "str.")
    if rng.random() < 0.3:
        text = text.lower()
    return text


# Requests ----------------------------------------------------------------------------------------


def generate_requests(
    ids: Sequence[int],
    times: Sequence[tuple[datetime, int]],
    *,
    seed: int,
    now: datetime,
    agents: Sequence[int],
    codes: Sequence[Code],
    callers: Callers,
    work_order_ids: Callable[[int], Sequence[int]],
    open_work_orders: Iterable[tuple[int, int, str, str, datetime]] = (),
    phones: PhoneMaker | None = None,
    batch: int = 20_000,
) -> Iterator[tuple[list[tuple], Iterator[tuple]]]:
    """Work orders and requests, batch by batch: (work order rows, request rows).

    A batch holds the next `batch` requests in REQUEST_COLUMNS order (one per id, started at the
    given times) and the work orders they opened, in WORK_ORDER_COLUMNS order, with the primary
    keys `work_order_ids(count)` gives. Written in that order, each request's work order is
    there before the request. The batch size changes nothing in the rows. Reports may link to
    the work orders open already (see WorkOrderBook), never open a second one beside them.

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
        phones=phones,
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
    times: Sequence[tuple[datetime, int]],
    *,
    seed: int,
    now: datetime,
    agents: Sequence[int],
    codes: Sequence[Code],
    callers: Callers,
    phones: PhoneMaker | None,
    book: WorkOrderBook,
) -> Iterator[tuple]:
    """Request rows, each action request's with its PlannedWorkOrder for the work order's id."""
    rng = random.Random(f"{seed}-requests")
    phones = phones or PhoneMaker(random.Random(f"{seed}-caller-phones"))
    rand = rng.random
    request_type = _picker(rng, REQUEST_TYPES)
    channel_of = _picker(rng, CHANNELS)
    # Some agents take more calls than others; popular problem codes come up more often.
    agent = _picker(rng, [(pk, 0.4 + rand() * 1.2) for pk in agents])
    shuffled = list(codes)
    rng.shuffle(shuffled)
    code = _picker(rng, [(item, 1 / (rank + 1) ** 0.8) for rank, item in enumerate(shuffled)])
    known = len(callers)
    frequent = max(1, int(known * FREQUENT_CALLERS))
    now_stamp = now
    for pk, (started, year) in zip(ids, times, strict=True):
        number = f"CR-{year}-{pk:06d}"
        taker = agent()
        channel = channel_of()
        if rand() < DRAFT_SHARE:
            # Abandoned before anything was typed: still a contact, with its channel.
            yield (
                pk, number, RequestType.INFORMATION, channel, Status.OPEN, taker, started, None,
                None, "", "", "", None, None, "", "", "", "", None, None, False, 1, "",
            )  # fmt: skip
            continue
        kind = request_type()
        age = (now_stamp - started).total_seconds() / 86400
        recent = 1.0 if age < 3 else 0.5 if age < 14 else 0.15 if age < 45 else 0.03
        finished = started + timedelta(seconds=60 + 840 * rand() ** 1.5)
        version = 2
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
            fcr = rand() < FIRST_CONTACT[kind]
            version = 2 if fcr else 3
            if kind == RequestType.COMMENT or rand() < (0.2 if age < 14 else 0.6):
                status = Status.CLOSED
            else:
                status = Status.RESOLVED

        customer_id = None
        name = phone = email = address = ""
        if known and rand() < CUSTOMER_SHARE:
            index = int(rand() * frequent) if rand() < FREQUENT_SHARE else int(rand() * known)
            customer_id = callers.ids[index]
            name = callers.names[index]
            numbers = callers.phones[index]
            phone = numbers[0] if len(numbers) == 1 else rng.choice(numbers)
            email = callers.emails[index]
            address = callers.addresses[index]
        elif channel in (Channel.PHONE, Channel.FAX):
            phone = phones(mobile=rand() < 0.6)
            name = _anonymous_name(rng) if rand() < 0.5 else ""
        elif channel in (Channel.EMAIL, Channel.WEB):
            email = f"caller{pk}@{rng.choice(MAIL_DOMAINS)}"
            name = _anonymous_name(rng) if rand() < 0.6 else ""
        else:
            name = _anonymous_name(rng) if rand() < 0.7 else ""

        problem = work_order = None
        work_address = description = comment = answer = ""
        if kind == RequestType.ACTION:
            work_order = book.repeat(started) if rand() < REPEAT_SHARE else None
            if work_order is not None:
                chosen = work_order.code
                work_address = _written_otherwise(work_order.address, rng)
            else:
                chosen = code()
                if address and rand() < 0.5:
                    work_address = address
                elif rand() < 0.1:
                    place, street = rng.choice(PLACES)
                    work_address = f"{place}, {street}"
                else:
                    work_address = _street_address(rng)
                work_order = book.report(chosen, work_address, started, year, taker)
            if work_order.completed and status in (Status.OPEN, Status.FOLLOW_UP):
                # Completing the work order resolved the request (QuerySet.resolve_open).
                status, due, assignee, version = Status.RESOLVED, None, None, version + 1
            problem = chosen.id
            detail = rng.choice(DETAILS)
            description = f"{chosen.name}. {detail}".strip()
        elif kind == RequestType.COMMENT:
            comment = rng.choice(COMMENTS)
        else:
            answer = rng.choice(ANSWERS)
        yield (
            pk, number, kind, channel, status, taker, started, finished, customer_id, name,
            phone, email, problem, work_order, work_address, description, comment, answer, due,
            assignee, fcr, version, work_order.key if work_order else "",
        )  # fmt: skip


def _anonymous_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES['en'])} {rng.choice(LAST_NAMES['en'])}"


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
    if requests and (not agents or not codes):
        raise ValueError(
            "Generating requests needs usable problem codes and users in the Agent or "
            "Supervisor group."
        )
    # One maker for customers and anonymous callers: a stranger never has a customer's number.
    phones = PhoneMaker(random.Random(f"{seed}-phones"))
    summary = VolumeSummary()
    customer_rows, phone_rows, callers = generate_customers(
        reserve_ids(Customer, customers), seed=seed, now=now, days=days, phones=phones
    )
    summary.customers = write_rows(
        Customer, CUSTOMER_COLUMNS, customer_rows, total=customers, progress=progress
    )
    del customer_rows
    summary.phones = write_rows(
        CustomerPhone, PHONE_COLUMNS, phone_rows, total=len(phone_rows), progress=progress
    )
    del phone_rows
    times = request_times(requests, seed=seed, now=now, days=days)
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
        phones=phones,
    )
    # Each batch's work orders first: its requests refer to them.
    for work_order_rows, request_rows in batches:
        summary.work_orders += write_rows(
            WorkOrder, WORK_ORDER_COLUMNS, work_order_rows, total=len(work_order_rows)
        )
        before = summary.requests
        summary.requests += write_rows(
            CustomerRequest, REQUEST_COLUMNS, request_rows, total=requests
        )
        passed = summary.requests // PROGRESS_EVERY > before // PROGRESS_EVERY
        if progress and (passed or summary.requests == requests):
            progress(CustomerRequest._meta.verbose_name_plural, summary.requests, requests)
    if progress and requests:
        progress(WorkOrder._meta.verbose_name_plural, summary.work_orders, summary.work_orders)
    return summary


def analyze() -> None:
    """Fresh planner statistics after a big load (PostgreSQL; elsewhere nothing to do)."""
    if connection.vendor != "postgresql":
        return
    loaded = (Customer, CustomerPhone, WorkOrder, CustomerRequest)
    tables = [model._meta.db_table for model in loaded]
    # VACUUM also sets the visibility map, so that index-only scans work at once; it cannot
    # run inside a transaction, where ANALYZE alone has to do.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
