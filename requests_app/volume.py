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
- Numbers as requests_app.services.request_start makes them: CR-<local year>-<pk:06d>, the
  primary keys reserved from the table's sequence first, so a number never collides with one
  the desk hands out.
- Agents: the users in the Agent and Supervisor groups, some busier than others.

Deterministic: the same seed, moment (`now`), catalogue, agents and reserved ids give the same
rows. No history (RequestChange) rows are generated.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from callcenter import roles
from hierarchy.models import ProblemCode
from requests_app.models import (
    Channel,
    Customer,
    CustomerPhone,
    CustomerRequest,
    RequestType,
    Status,
)

Progress = Callable[[str, int, int], None]

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
    "work_address",
    "description",
    "comment",
    "answer_given",
    "follow_up_due",
    "follow_up_assignee_id",
    "first_contact_resolution",
    "version",
)


@dataclass
class VolumeSummary:
    customers: int = 0
    phones: int = 0
    requests: int = 0


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
    return [Code(pk, name) for pk, name in ProblemCode.objects.usable().values_list("pk", "name")]


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


def generate_requests(
    ids: Sequence[int],
    times: Sequence[tuple[datetime, int]],
    *,
    seed: int,
    now: datetime,
    agents: Sequence[int],
    codes: Sequence[Code],
    callers: Callers,
    phones: PhoneMaker | None = None,
) -> Iterator[tuple]:
    """Request rows in REQUEST_COLUMNS order, one per id, started at the given times."""
    if not agents:
        raise ValueError(
            "Generating requests needs agents: users in the Agent or Supervisor group."
        )
    if not codes:
        raise ValueError("Generating requests needs usable problem codes in the catalogue.")
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
                None, "", "", "", None, "", "", "", "", None, None, False, 1,
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

        problem = None
        work_address = description = comment = answer = ""
        if kind == RequestType.ACTION:
            chosen = code()
            problem = chosen.id
            if address and rand() < 0.5:
                work_address = address
            elif rand() < 0.1:
                place, street = rng.choice(PLACES)
                work_address = f"{place}, {street}"
            else:
                work_address = _street_address(rng)
            detail = rng.choice(DETAILS)
            description = f"{chosen.name}. {detail}".strip()
        elif kind == RequestType.COMMENT:
            comment = rng.choice(COMMENTS)
        else:
            answer = rng.choice(ANSWERS)
        yield (
            pk, number, kind, channel, status, taker, started, finished, customer_id, name,
            phone, email, problem, work_address, description, comment, answer, due, assignee,
            fcr, version,
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
    every: int = 100_000,
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
    """Generate and insert `customers` customers and `requests` requests over `days` days.

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
    rows = generate_requests(
        reserve_ids(CustomerRequest, requests),
        times,
        seed=seed,
        now=now,
        agents=agents,
        codes=codes,
        callers=callers,
        phones=phones,
    )
    summary.requests = write_rows(
        CustomerRequest, REQUEST_COLUMNS, rows, total=requests, progress=progress
    )
    return summary


def analyze() -> None:
    """Fresh planner statistics after a big load (PostgreSQL; elsewhere nothing to do)."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in (Customer, CustomerPhone, CustomerRequest)]
    # VACUUM also sets the visibility map, so that index-only scans work at once; it cannot
    # run inside a transaction, where ANALYZE alone has to do.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
