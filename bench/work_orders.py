"""Time the work-order duplicate check and the save of an action request (the target: with 300,000
work orders, the duplicate check and save under 50 ms at the 95th percentile) on a throwaway
PostgreSQL test database.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/callcenter_bench \\
        .venv/bin/python bench/work_orders.py --work-orders 300000

It creates and drops test_<name>_work_orders (--test-db to name it; --keep leaves it for psql);
the database DATABASE_URL names is not touched. It generates a catalogue (--codes problem codes
under 6 providers, most with a standard work order), 50 agents, the work orders of three years
(about 15 % still active) at places on --streets streets written the ways callers write them
("12 Main St." and "12 main street", "Lindenstr. 5" and "Lindenstraße 5", "Storgt. 3" and
"Storgata 3"), some with coordinates, and the requests linked to them. Then, in-process on one
connection, one operation at a time, in a shuffled mix:

- the check: workorders.services.work_order_duplicates(Report(code, address[, lat, lon])) for
  places with an open work order of the code (written differently, or a point within 50 m
  under another description) and places without one;
- the save: requests_app.services.request_save of an action request started with
  request_start (not timed), as the form sends it: the default choice (the service links to
  the open work order or creates one) and the open work order chosen (link_to); its own
  transaction, committed. request_save passes no coordinates, so reports with coordinates are
  timed through work_order_create_or_link, the part of the save they change.

Each is reported as median, p95 and max; saves also with their SQL statements (as
CaptureQueriesContext counts them, BEGIN and COMMIT included) and the time spent executing them
(COMMIT not included). --explain prints PostgreSQL's plan (EXPLAIN ANALYZE) of the duplicate
check once, by address and by point, and the statements of one save of each kind. --sql runs
a statement after the load (an index to try). Without DATABASE_URL it runs on SQLite
(bulk_create; use a few thousand work orders there).
"""

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from callcenter import roles  # noqa: E402
from hierarchy.models import (  # noqa: E402
    Department,
    Priority,
    ProblemCode,
    ServiceCategory,
    ServiceProvider,
    StandardWorkOrder,
)
from requests_app.models import CustomerRequest, RequestType, Status  # noqa: E402
from requests_app.services import WorkOrderChoice, request_save, request_start  # noqa: E402
from workorders.addresses import address_key, distance_m  # noqa: E402
from workorders.models import ACTIVE, WorkOrder, WorkOrderStatus  # noqa: E402
from workorders.services import (  # noqa: E402
    DUPLICATE_RADIUS_M,
    Report,
    work_order_create_or_link,
    work_order_duplicates,
)

AGENTS = 50
YEARS = 3
# The newest eighth of the work orders is mostly still being worked on; older ones mostly done.
RECENT_SHARE, RECENT_ACTIVE, OLD_ACTIVE = 0.12, 0.85, 0.05
ACTIVE_MIX = [
    (WorkOrderStatus.OPEN, 50),
    (WorkOrderStatus.ASSIGNED, 25),
    (WorkOrderStatus.IN_PROGRESS, 15),
    (WorkOrderStatus.ON_HOLD, 10),
]
WITH_POINT = 0.3  # reported from the web form or app, with a position
SECOND_WITH_REASON = 0.02  # of reports at a place already open: a second one, with a reason

# A city the size of Berlin: the streets' starting points.
CITY = {"lat": (52.40, 52.60), "lon": (13.20, 13.60)}
METRES_PER_NUMBER = 8
SYLLABLES = [
    *("ka", "lo", "ri", "ben", "tas", "mor", "vel", "din", "sa", "ger"),
    *("hol", "fi", "nor", "ste", "ran", "bu", "ek", "lin", "dal", "mi"),
    *("bü", "hö", "mä", "ros", "tor", "wen"),
]
ENGLISH = {  # street word: how else it is written
    "Street": ["St", "St."],
    "Road": ["Rd", "Rd."],
    "Avenue": ["Ave", "Av."],
    "Lane": ["Ln"],
    "Drive": ["Dr."],
    "Court": ["Ct"],
    "Place": ["Pl."],
    "Square": ["Sq"],
    "Boulevard": ["Blvd"],
}
# Problem areas: (provider, categories, things, what goes wrong, trade).
AREAS = [
    ("Solid Waste", ["Household", "Bulky items", "Recycling"], "bin container sack", "Sanitation"),
    ("Streets", ["Road surface", "Pavements", "Signs"], "pothole kerb sign bollard", "Roads"),
    ("Lighting", ["Street lights", "Signals"], "lamp light signal", "Electrical"),
    ("Water", ["Mains", "Hydrants", "Drains"], "pipe hydrant drain gully", "Plumbing"),
    ("Parks", ["Trees", "Playgrounds", "Benches"], "tree bench swing fence", "Grounds"),
    ("Cleaning", ["Graffiti", "Litter", "Fly-tipping"], "wall litter dumping", "Cleaning"),
]
FAULTS = ["broken", "missing", "leaking", "blocked", "damaged", "overflowing", "dirty", "loose"]


# --- Data -----------------------------------------------------------------------------------


class Street:
    """A street: its name as written in its language, where it starts and which way it runs."""

    def __init__(self, rng: random.Random, name: str, language: str, numbers: int):
        self.name, self.language, self.numbers = name, language, numbers
        self.english_word = rng.choice(list(ENGLISH)) if language == "en" else ""
        self.norwegian_word = rng.choice(["gata", "veien"]) if language == "nb" else ""
        self.lat = rng.uniform(*CITY["lat"])
        self.lon = rng.uniform(*CITY["lon"])
        self.heading = rng.uniform(0, 2 * math.pi)

    def written(self, number: int, rng: random.Random | None = None) -> str:
        """The address as the first caller wrote it (rng None), or one of its other spellings."""
        name = self.name
        if self.language == "en":
            word = self.english_word
            if rng is None:
                return f"{number} {name} {word}"
            return rng.choice(
                [
                    f"{number} {name} {rng.choice(ENGLISH[word])}",
                    f"{number} {name.lower()} {word.lower()}",
                    f"{number}, {name} {word}",
                    f"{number} {name.upper()} {rng.choice(ENGLISH[word]).upper()}",
                    f"{number}  {name}  {word}.",
                ]
            )
        if self.language == "de":
            if rng is None:
                return f"{name}straße {number}"
            plain = name.replace("ü", "u").replace("ö", "o").replace("ä", "a")
            return rng.choice(
                [
                    f"{name}str. {number}",
                    f"{name}strasse {number}",
                    f"{plain.lower()}str {number}",
                    f"{name}-Straße {number}",
                    f"{plain}str.{number}",
                ]
            )
        word = self.norwegian_word
        if rng is None:
            return f"{name}{word} {number}"
        short = {"gata": ["gt.", "gate", " gate"], "veien": ["vn.", "vei", " vei"]}[word]
        return rng.choice([f"{name}{rng.choice(short)} {number}", f"{name.lower()}{word} {number}"])

    def point(self, number: int, rng: random.Random, jitter_m: float = 4) -> tuple:
        """Where the house is (odd numbers on one side, even on the other), give or take."""
        along = number * METRES_PER_NUMBER
        across = 12 if number % 2 else -12
        north = along * math.cos(self.heading) - across * math.sin(self.heading)
        east = along * math.sin(self.heading) + across * math.cos(self.heading)
        north += rng.uniform(-jitter_m, jitter_m)
        east += rng.uniform(-jitter_m, jitter_m)
        lat = self.lat + north / 111_320
        lon = self.lon + east / (111_320 * math.cos(math.radians(self.lat)))
        return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def make_streets(rng: random.Random, count: int) -> list[Street]:
    names: dict[str, str] = {}  # by the name's key: "Bühö" and "Buho" are one name
    while len(names) < count:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice([2, 2, 3])))
        if len(name) >= 4:
            names.setdefault(address_key(name), name.capitalize())
    streets = []
    for name in sorted(names.values()):
        language = rng.choices(["en", "de", "nb"], weights=[60, 25, 15])[0]
        # Most streets are short; a few long ones have hundreds of numbers.
        numbers = min(400, int(rng.paretovariate(1.5) * 20))
        streets.append(Street(rng, name, language, numbers))
    rng.shuffle(streets)
    return streets


def check_spellings(streets: list[Street], rng: random.Random) -> None:
    """Every other spelling of an address has the first one's key, and no two places share one."""
    keys = {}
    for index, street in enumerate(streets):
        for number in (1, 2, 17):
            key = address_key(street.written(number))
            assert keys.setdefault(key, (index, number)) == (index, number), key
            for _ in range(10):
                variant = street.written(number, rng)
                assert address_key(variant) == key, (variant, key)


def make_catalogue(rng: random.Random, codes: int) -> list[ProblemCode]:
    """6 providers in 3 departments, 17 categories, `codes` problem codes; 85 % of them with
    one of 80 standard work orders."""
    departments = [
        Department.objects.create(name=name)
        for name in ["Environmental Services", "Public Works", "Parks and Cleaning"]
    ]
    templates = StandardWorkOrder.objects.bulk_create(
        StandardWorkOrder(
            title=f"{FAULTS[n % 8].capitalize()} {AREAS[n % 6][2].split()[0]}: standard job {n}",
            instructions="Make the site safe, repair or replace, report back.",
            trade=AREAS[n % 6][3],
            priority=rng.choice([Priority.HIGH, Priority.NORMAL, Priority.NORMAL, Priority.LOW]),
        )
        for n in range(80)
    )
    categories = []
    for number, (provider_name, category_names, _things, _trade) in enumerate(AREAS):
        provider = ServiceProvider.objects.create(
            department=departments[number // 2], name=provider_name
        )
        categories += [
            ServiceCategory.objects.create(provider=provider, name=name) for name in category_names
        ]
    ProblemCode.objects.bulk_create(
        ProblemCode(
            category=categories[n % len(categories)],
            code=f"WO{n:04d}",
            name=f"{rng.choice(FAULTS)} {rng.choice(AREAS[n % 6][2].split())} {n}",
            priority=rng.choice(list(Priority)),
            standard_work_order=rng.choice(templates) if rng.random() < 0.85 else None,
            temporary_fix_hours=rng.choice([None, None, 4, 24, 48]),
            permanent_fix_days=rng.choice([None, 1, 3, 5, 10, 20, 30]),
        )
        for n in range(codes)
    )
    # As the request form loads them (its queryset is .with_path()).
    return list(ProblemCode.objects.with_path().order_by("pk"))


def make_agents() -> list[User]:
    User.objects.bulk_create(
        User(username=f"agent{n:03d}", password="!", first_name="Agent", last_name=str(n))
        for n in range(1, AGENTS + 1)
    )
    agents = list(User.objects.filter(username__startswith="agent").order_by("pk"))
    Group.objects.get(name=roles.AGENT).user_set.add(*agents)
    return agents


def insert(model, rows, batch: int = 5000) -> int:
    """Rows (dicts by attribute name; missing fields get their defaults) by COPY on PostgreSQL,
    bulk_create elsewhere."""
    fields = model._meta.concrete_fields
    count = 0
    if connection.vendor == "postgresql":
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(
                    [
                        row[field.attname] if field.attname in row else field.get_default()
                        for field in fields
                    ]
                )
                count += 1
        return count
    chunk = []
    for row in rows:
        chunk.append(model(**row))
        if len(chunk) == batch:
            model.objects.bulk_create(chunk)
            count, chunk = count + len(chunk), []
    model.objects.bulk_create(chunk)
    return count + len(chunk)


class City:
    """The generated work orders, as far as the timed operations need to know them."""

    def __init__(self, streets, codes, rng):
        self.streets, self.codes = streets, codes
        self.street_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(streets))]
        self.code_weights = [1 / (rank + 1) ** 0.9 for rank in range(len(codes))]
        rng.shuffle(self.code_weights)
        # (code pk, address key) -> (work order pk, street, number, point or None): the open
        # work order without a reason that a report at the place links to.
        self.open_at: dict[tuple[int, str], tuple] = {}
        self.open_points: dict[int, list[tuple]] = defaultdict(list)  # code pk -> points
        self.taken: set[tuple[int, str]] = set()  # places the timed creates will use

    def place(self, rng) -> tuple[Street, int]:
        street = rng.choices(self.streets, weights=self.street_weights)[0]
        return street, rng.randint(1, street.numbers)

    def code(self, rng) -> ProblemCode:
        return rng.choices(self.codes, weights=self.code_weights)[0]

    def is_free(self, code: ProblemCode, key: str, point=None) -> bool:
        """No open work order of the code at the address, nor (with a point) within 50 m, and
        none of the timed creates goes there."""
        if (code.pk, key) in self.open_at or (code.pk, key) in self.taken:
            return False
        if point is None:
            return True
        margin = DUPLICATE_RADIUS_M * 2  # two points of the same house may both be jittered
        return all(distance_m(*point, *other) > margin for other in self.open_points[code.pk])


def make_work_orders(city: City, agents: list[User], count: int, rng) -> tuple[int, list]:
    """`count` work orders over the last YEARS years, oldest first; the requests' side of each
    (pk, code, address, status, created_at) for make_requests."""
    now = timezone.now()
    start = now - timedelta(days=365 * YEARS)
    span = (now - start).total_seconds()
    times = sorted(rng.random() for _ in range(count))
    recent_from = 1 - RECENT_SHARE
    summary = []

    def rows():
        for pk, share in enumerate(times, start=1):
            created = start + timedelta(seconds=span * share)
            code = city.code(rng)
            street, number = city.place(rng)
            address = street.written(number) if rng.random() < 0.5 else street.written(number, rng)
            key = address_key(address)
            point = street.point(number, rng) if rng.random() < WITH_POINT else None
            active = rng.random() < (RECENT_ACTIVE if share >= recent_from else OLD_ACTIVE)
            reason = ""
            if active and (code.pk, key) in city.open_at:
                if rng.random() < SECOND_WITH_REASON:
                    reason = "Second report at the place: another fault, another crew."
                else:
                    active = False  # the earlier one was done when this one came in
            if active:
                status = rng.choices(*zip(*ACTIVE_MIX, strict=True))[0]
                closed = None
                if not reason:
                    city.open_at[(code.pk, key)] = (pk, street, number, point)
                if point is not None:
                    city.open_points[code.pk].append(point)
            else:
                status = (
                    WorkOrderStatus.COMPLETED if rng.random() < 0.9 else WorkOrderStatus.CANCELLED
                )
                closed = min(now, created + timedelta(hours=rng.uniform(2, 24 * 30)))
            template = code.standard_work_order
            days = code.permanent_fix_days
            summary.append((pk, code.pk, address, status, created))
            yield {
                "id": pk,
                "number": f"WO-{timezone.localtime(created).year}-{pk:06d}",
                "problem_code_id": code.pk,
                "title": template.title if template else code.name,
                "instructions": template.instructions if template else code.description,
                "trade": template.trade if template else "",
                "priority": template.priority if template else code.priority,
                "address": address,
                "address_key": key,
                "latitude": point[0] if point else None,
                "longitude": point[1] if point else None,
                "provider_id": code.category.provider_id,
                "assignee": "" if status == WorkOrderStatus.OPEN else f"Crew {pk % 40 + 1}",
                "due_at": created + timedelta(days=days) if days else None,
                "status": status,
                "cancel_reason": "Not found on site."
                if status == WorkOrderStatus.CANCELLED
                else "",
                "duplicate_reason": reason,
                "created_by_id": rng.choice(agents).pk,
                "created_at": created,
                "closed_at": closed,
            }

    return insert(WorkOrder, rows()), summary


def make_requests(summary: list, agents: list[User], rng) -> int:
    """The requests behind the work orders: one each, more for some (callers report the same
    problem); open while the work order is active, resolved when it is done."""

    def rows():
        pk = 0
        for work_order, code, address, status, created in summary:
            callers = rng.choices([1, 2, 3, 4, 6], weights=[70, 18, 7, 3, 2])[0]
            for caller in range(callers):
                pk += 1
                started = created + timedelta(hours=caller * rng.uniform(0, 48))
                done = status not in ACTIVE
                yield {
                    "id": pk,
                    "number": f"CR-{timezone.localtime(started).year}-{pk:06d}",
                    "request_type": RequestType.ACTION,
                    "status": Status.RESOLVED if done else Status.OPEN,
                    "agent_id": rng.choice(agents).pk,
                    "started_at": started,
                    "finished_at": started + timedelta(minutes=rng.uniform(1, 8)),
                    "problem_code_id": code,
                    "work_order_id": work_order,
                    "work_address": address,
                    "description": "Reported by phone.",
                }

    return insert(CustomerRequest, rows())


def finish_load() -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [WorkOrder, CustomerRequest]):
            cursor.execute(sql)


def analyze() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE) workorders_workorder, requests_app_customerrequest")
        else:
            cursor.execute("ANALYZE")


def sizes() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_index i "
            "ON i.indexrelid = c.oid WHERE i.indrelid = 'workorders_workorder'::regclass "
            "ORDER BY c.relname"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT pg_total_relation_size('workorders_workorder'), "
            "pg_total_relation_size('requests_app_customerrequest')"
        )
        work_orders, requests = cursor.fetchone()
    print(
        f"work orders with indexes {work_orders / 2**20:.0f} MB, "
        f"requests with indexes {requests / 2**20:.0f} MB"
    )
    for name, size in indexes:
        print(f"  index {name}: {size / 2**20:.1f} MB")


# --- What is timed --------------------------------------------------------------------------


def nearby_text(street: Street, number: int) -> str:
    """A description that is not the address: only the point can find the work order."""
    return f"Opposite the bus stop near {street.written(number)}"


def check_plan(city: City, repeat: int, rng) -> list[tuple[str, Report, int | None]]:
    """(kind, report, the work order it must find or None), `repeat` of each kind, shuffled."""
    opens = list(city.open_at.items())
    with_point = [item for item in opens if item[1][3] is not None]
    codes = {code.pk: code for code in city.codes}
    plan = []
    for _ in range(repeat):
        (code_pk, _key), (pk, street, number, _point) = rng.choice(opens)
        plan.append(
            ("address, open there", Report(codes[code_pk], street.written(number, rng)), pk)
        )
        (code_pk, _key), (pk, street, number, _point) = rng.choice(with_point)
        lat, lon = street.point(number, rng, jitter_m=10)
        report = Report(codes[code_pk], nearby_text(street, number), lat, lon)
        plan.append(("point within 50 m, open there", report, pk))
        plan.append(("address, none open", free_report(city, rng, point=False), None))
        plan.append(("point, none open", free_report(city, rng, point=True), None))
    rng.shuffle(plan)
    return plan


def free_report(city: City, rng, point: bool, take: bool = False) -> Report:
    """A report at a place where the code has no open work order (half of them at a place
    where another code has one: the same address, another problem)."""
    while True:
        if rng.random() < 0.5:
            (_code, key), (_pk, street, number, _point) = rng.choice(list(city.open_at.items()))
        else:
            street, number = city.place(rng)
        code = city.code(rng)
        address = street.written(number, rng)
        key = address_key(address)
        lat_lon = street.point(number, rng) if point else None
        if city.is_free(code, key, lat_lon):
            if take:
                city.taken.add((code.pk, key))
                if lat_lon:
                    city.open_points[code.pk].append(lat_lon)
            return Report(code, address, *(lat_lon or (None, None)))


def save_plan(city: City, repeat: int, rng) -> list[tuple[str, Report, int | None]]:
    opens = list(city.open_at.items())
    with_point = [item for item in opens if item[1][3] is not None]
    codes = {code.pk: code for code in city.codes}
    plan = []
    for _ in range(repeat):
        (code_pk, _key), (pk, street, number, _point) = rng.choice(opens)
        report = Report(codes[code_pk], street.written(number, rng))
        plan.append(("request_save, links (default choice)", report, pk))
        (code_pk, _key), (pk, street, number, _point) = rng.choice(opens)
        report = Report(codes[code_pk], street.written(number, rng))
        plan.append(("request_save, links (work order chosen)", report, pk))
        plan.append(("request_save, creates", free_report(city, rng, False, take=True), None))
        (code_pk, _key), (pk, street, number, _point) = rng.choice(with_point)
        lat, lon = street.point(number, rng, jitter_m=10)
        report = Report(codes[code_pk], nearby_text(street, number), lat, lon)
        plan.append(("point: create_or_link, links", report, pk))
        report = free_report(city, rng, True, take=True)
        plan.append(("point: create_or_link, creates", report, None))
    rng.shuffle(plan)
    return plan


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def stats(times: list[float]) -> str:
    return (
        f"median {statistics.median(times):6.2f} ms, p95 {percentile(times, 0.95):6.2f} ms, "
        f"max {max(times):7.2f} ms"
    )


def run_checks(plan, warm: int) -> tuple[dict[str, list[float]], dict[int, list[float]]]:
    times: dict[str, list[float]] = defaultdict(list)
    by_code: dict[int, list[float]] = defaultdict(list)
    wrong = 0
    for number, (kind, report, expected) in enumerate(plan):
        reset_queries()
        started = time.perf_counter()
        found = work_order_duplicates(report)
        elapsed = (time.perf_counter() - started) * 1000
        pks = [work_order.pk for work_order in found]
        if (expected is None and pks) or (expected is not None and expected not in pks):
            wrong += 1
            print(f"  unexpected: {kind} {report.address!r} expected {expected}, found {pks}")
        if number >= warm:
            times[kind].append(elapsed)
            by_code[report.problem_code.pk].append(elapsed)
    print(f"checks: {len(plan)} ({warm} to warm up), {wrong} with an unexpected answer")
    return times, by_code


def busiest_codes(by_code: dict[int, list[float]], codes: list[ProblemCode], top: int = 10):
    """The check's time for the codes with the most open work orders, and for the rest."""
    active = dict(
        WorkOrder.objects.active()
        .values("problem_code")
        .annotate(n=Count("pk"))
        .values_list("problem_code", "n")
    )
    names = {code.pk: code.code for code in codes}
    total = sum(len(times) for times in by_code.values())
    ranked = sorted(by_code.items(), key=lambda item: -active.get(item[0], 0))
    print(f"\nchecks for the {top} codes with the most open work orders, and the rest:")
    for code, times in ranked[:top]:
        label = f"{names[code]}, {active.get(code, 0)} open, {len(times)} checks"
        print(f"  {label:<42} {stats(times)}")
    rest = [t for _code, times in ranked[top:] for t in times]
    label = f"other {len(ranked) - top} codes, {len(rest)} checks"
    print(f"  {label:<42} {stats(rest)}")
    print(f"  ({100 * (total - len(rest)) / total:.0f} % of the checks were for the {top} above)")


class SqlTimer:
    """Time spent in cursor.execute, to the microsecond (Django's query log rounds to 1 ms)."""

    def __init__(self):
        self.ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000


def run_saves(plan, agents, warm: int):
    times: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    sql_ms: dict[str, list[float]] = defaultdict(list)
    wrong = 0
    first_new = WorkOrder.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for number, (kind, report, expected) in enumerate(plan):
        agent = agents[number % len(agents)]
        if kind.startswith("request_save"):
            request = request_start(agent=agent)
            choice = WorkOrderChoice()
            if "chosen" in kind:
                choice = WorkOrderChoice(link_to=WorkOrder.objects.get(pk=expected))

            def save(request=request, report=report, agent=agent, choice=choice):
                return request_save(
                    request=request,
                    values={
                        "request_type": RequestType.ACTION,
                        "problem_code": report.problem_code,
                        "work_address": report.address,
                        "description": "Reported by phone.",
                    },
                    expected_version=request.version,
                    user=agent,
                    work_order_choice=choice,
                ).work_order_id
        else:

            def save(report=report, agent=agent):
                return work_order_create_or_link(report=report, user=agent).pk

        timer = SqlTimer()
        reset_queries()  # the log keeps 9,000 queries; a full one captures nothing
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            started = time.perf_counter()
            got = save()
            elapsed = (time.perf_counter() - started) * 1000
        # By point, the oldest open work order within 50 m wins: not always the one picked.
        if kind.startswith("point") and expected is not None:
            expected = got if got <= first_new else expected
        if (expected is None and got <= first_new) or (expected is not None and got != expected):
            wrong += 1
            print(f"  unexpected: {kind} {report.address!r} expected {expected}, got {got}")
        if number >= warm:
            times[kind].append(elapsed)
            queries[kind].append(len(captured.captured_queries))
            sql_ms[kind].append(timer.ms)
    print(f"saves: {len(plan)} ({warm} to warm up), {wrong} with an unexpected work order")
    return times, queries, sql_ms


def explain(city: City, agents, rng) -> None:
    """PostgreSQL's plan of the duplicate check, by address and by point; one save's SQL."""
    # The busiest code: the most open work orders to look through.
    weights = {code.pk: weight for code, weight in zip(city.codes, city.code_weights, strict=True)}
    code_pk = max(weights, key=weights.get)
    code = next(code for code in city.codes if code.pk == code_pk)
    _pk, street, number, _point = next(
        place for (pk, _key), place in city.open_at.items() if pk == code_pk and place[3]
    )
    reports = {
        "by address": Report(code, street.written(number, rng)),
        "by address and point": Report(
            code, nearby_text(street, number), *street.point(number, rng, jitter_m=10)
        ),
    }
    for label, report in reports.items():
        with CaptureQueriesContext(connection) as captured:
            work_order_duplicates(report)
        sql = captured.captured_queries[-1]["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"--- duplicate check {label}, code {code.code}: {report.address!r}\n{sql}\n{plan}")
    for label, report in [
        ("links", Report(code, street.written(number, rng))),
        ("creates", free_report(city, rng, point=False, take=True)),
    ]:
        request = request_start(agent=agents[0])
        timings = []

        def timed_execute(execute, sql, params, many, context, timings=timings):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append((time.perf_counter() - started) * 1000)

        with (
            CaptureQueriesContext(connection) as captured,
            connection.execute_wrapper(timed_execute),
        ):
            request_save(
                request=request,
                values={
                    "request_type": RequestType.ACTION,
                    "problem_code": report.problem_code,
                    "work_address": report.address,
                },
                expected_version=request.version,
                user=agents[0],
            )
        print(f"--- request_save that {label}: {len(captured.captured_queries)} statements")
        executed = iter(timings)
        for query in captured.captured_queries:
            sql = query["sql"]
            took = "" if sql in ("BEGIN", "COMMIT") else f"{next(executed):6.2f} ms"
            print(f"  {took:>9}  {sql[:150]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work-orders", type=int, default=300_000)
    parser.add_argument("--codes", type=int, default=300)
    parser.add_argument("--streets", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=500, help="timings of each kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="the duplicate check's plan")
    parser.add_argument("--test-db", help="name of the throwaway database")
    parser.add_argument(
        "--sql",
        action="append",
        default=[],
        help="a statement to run after the load, before ANALYZE (to try an index); repeatable",
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the test database for a look with psql"
    )
    options = parser.parse_args()
    rng = random.Random(options.seed)

    setup_test_environment()
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        # Not test_<name>: other benchmarks use that one and may be running.
        settings["TEST"]["NAME"] = options.test_db or f"test_{settings['NAME']}_work_orders"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        streets = make_streets(rng, options.streets)
        check_spellings(streets, random.Random(options.seed))
        started = time.perf_counter()
        with transaction.atomic():
            codes = make_catalogue(rng, options.codes)
            agents = make_agents()
            city = City(streets, codes, rng)
            count, summary = make_work_orders(city, agents, options.work_orders, rng)
            loaded = time.perf_counter() - started
            requests = make_requests(summary, agents, rng)
            finish_load()
        inserted = time.perf_counter() - started
        del summary
        with connection.cursor() as cursor:
            for sql in options.sql:
                print(f"running: {sql}")
                cursor.execute(sql)
        analyze()
        active = WorkOrder.objects.active().count()
        print(
            f"{connection.vendor}: {count} work orders ({active} active, {len(city.open_at)} "
            f"places with one open, {sum(map(len, city.open_points.values()))} open with a "
            f"point) in {loaded:.1f} s; {requests} requests, all in {inserted:.1f} s; "
            f"{len(codes)} problem codes, {len(streets)} streets, "
            f"{sum(street.numbers for street in streets)} house numbers"
        )
        sizes()
        if options.explain and connection.vendor == "postgresql":
            explain(city, agents, rng)

        warm = 20
        load_before = os.getloadavg()
        checks, by_code = run_checks(check_plan(city, options.repeat, rng), warm)
        times, queries, sql_ms = run_saves(save_plan(city, options.repeat, rng), agents, warm)
        load_after = os.getloadavg()

        print(f"\nduplicate check (work_order_duplicates), {options.repeat} of each kind:")
        for kind, values in sorted(checks.items()):
            print(f"  {kind:<42} {stats(values)}")
        print(f"  {'all':<42} {stats([t for v in checks.values() for t in v])}")
        busiest_codes(by_code, codes)
        print(f"\nsave (committed), {options.repeat} of each kind:")
        for kind, values in sorted(times.items()):
            counts = sorted(set(queries[kind]))
            print(
                f"  {kind:<42} {stats(values)}; {'/'.join(map(str, counts))} statements, "
                f"{statistics.median(sql_ms[kind]):.2f} ms in SQL (median)"
            )
        request_saves = [t for kind, v in times.items() if kind.startswith("request") for t in v]
        print(f"  {'all request_save':<42} {stats(request_saves)}")
        print(f"  {'all':<42} {stats([t for v in times.values() for t in v])}")
        before, after = (" ".join(f"{n:.2f}" for n in load) for load in (load_before, load_after))
        print(f"\nload average before the timing {before}, after {after}")
    finally:
        if options.keep:
            print(f"kept {connection.settings_dict['NAME']}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
