"""Time the caller lookup and the request list's search in-process, on the benchmark database
`generate_volume` made (bench/README.md, "Customer requests"):

    DEBUG=false SECRET_KEY=bench-only-not-secret ALLOWED_HOSTS=testserver \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/callcenter_bench \\
        .venv/bin/python bench/callers.py --runs 200

Through Django's test client, logged in as the demo `agent`, one request at a time in a shuffled
mix, each kind reported as median, p95 and max, with its SQL statements:

- the caller lookup as the request form's HTMX asks it: a customer's number typed nationally
  ("030 1234567") or from abroad ("0049 30 1234567"), a surname ("Maier"), a first name, a
  name's first two letters;
- the request list: the filtered list of bench/locustfile.py (open phone requests of one
  department in the last 30 days, page 1), the whole list's page 1, and searches by a request's
  number typed short ("3008"), in full ("CR-2026-3008"), by a caller's number as typed from abroad,
  by a work address written another way ("Hauptstr. 12" for "Hauptstraße 12"), by a surname
  and by a word of the descriptions.

--only list|lookup limits the kinds; --explain prints PostgreSQL's plan (EXPLAIN ANALYZE) of each
search once. Reads only; the database is not changed (the session of the login aside).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

import django  # noqa: E402

django.setup()

import phonenumbers  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from hierarchy.models import Department  # noqa: E402
from requests_app.models import Customer, CustomerPhone, CustomerRequest  # noqa: E402


def sample(sql: str, count: int) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql + f" ORDER BY random() LIMIT {count}")
        return [row[0] for row in cursor.fetchall()]


def national(e164: str) -> str:
    number = phonenumbers.parse(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def shortened(address: str) -> str:
    """ "Hauptstraße 12" as a caller says it: "Hauptstr. 12"; the first line only."""
    return address.splitlines()[0].replace("straße", "str.").replace("Straße", "Str.")


def kinds(only: str | None) -> dict:
    today = date.today()
    phones = sample(f"SELECT number FROM {CustomerPhone._meta.db_table}", 2000)
    requests = CustomerRequest._meta.db_table
    ids = sample(f"SELECT id FROM {requests}", 2000)
    numbers = sample(f"SELECT number FROM {requests}", 2000)
    callers = sample(f"SELECT caller_phone FROM {requests} WHERE caller_phone <> ''", 2000)
    addresses = sample(f"SELECT work_address FROM {requests} WHERE work_address <> ''", 2000)
    departments = list(Department.objects.values_list("pk", flat=True))
    # The generator's names come from Faker (demo.people): the customers' own, as callers say them.
    names = [name.split() for name in sample(f"SELECT name FROM {Customer._meta.db_table}", 2000)]
    surnames = [words[-1] for words in names]
    first_names = [words[0] for words in names]
    lookup = "/customers/lookup/?"
    listed = "/requests/?"
    every = {
        "lookup by number, national": lambda: (
            lookup + urlencode({"caller_phone": national(random.choice(phones))})
        ),
        "lookup by number, 0049 …": lambda: (
            lookup + urlencode({"caller_phone": "00" + random.choice(phones)[1:]})
        ),
        "lookup by surname": lambda: lookup + urlencode({"caller_name": random.choice(surnames)}),
        "lookup by first name": lambda: (
            lookup + urlencode({"caller_name": random.choice(first_names)})
        ),
        "lookup by two letters": lambda: (
            lookup + urlencode({"caller_name": random.choice(surnames)[:2]})
        ),
        "list, filtered (locustfile)": lambda: (
            listed
            + urlencode(
                {
                    "status": "open",
                    "channel": "phone",
                    "department": random.choice(departments),
                    "started_from": (today - timedelta(days=30)).isoformat(),
                    "started_to": today.isoformat(),
                }
            )
        ),
        "list, page 1": lambda: listed,
        "search: number typed short": lambda: listed + urlencode({"q": random.choice(ids)}),
        "search: number in full": lambda: (
            listed + urlencode({"q": random.choice(numbers).replace("-00", "-").replace("-0", "-")})
        ),
        "search: caller's number, 0049 …": lambda: (
            listed + urlencode({"q": "00" + random.choice(callers)[1:]})
        ),
        "search: work address otherwise": lambda: (
            listed + urlencode({"q": shortened(random.choice(addresses))})
        ),
        "search: surname": lambda: listed + urlencode({"q": random.choice(surnames)}),
        "search: description word": lambda: (
            listed
            + urlencode({"q": random.choice(["fridge", "pothole", "mattress", "Streetlight"])})
        ),
    }
    return {name: url for name, url in every.items() if not only or name.startswith(only)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="requests of each kind")
    parser.add_argument("--only", choices=["list", "lookup", "search"])
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)
    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="agent"))
    made = kinds(args.only)
    plan = [name for name in made for _ in range(args.runs)]
    random.shuffle(plan)
    times: dict[str, list[float]] = {name: [] for name in made}
    queries: dict[str, int] = {}
    for name in made:  # warm up: templates, the session, the first plans
        client.get(made[name](), headers={"HX-Request": "true"})
    for name in plan:
        url = made[name]()
        reset_queries()  # the query log keeps 9,000 at most: counts would go wrong
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, headers={"HX-Request": "true"})
            times[name].append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        queries[name] = len(captured)
        if args.explain and name.startswith("search") and not getattr(main, name, False):
            setattr(main, name, True)
            slowest = max(captured.captured_queries, key=lambda query: float(query["time"]))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + slowest["sql"])
                print(f"-- {name}: {url}\n" + "\n".join(row[0] for row in cursor.fetchall()))
    print(f"{'kind':40} {'median':>8} {'p95':>8} {'max':>8} {'queries':>8}  (ms)")
    for name, spent in times.items():
        spent.sort()
        p95 = spent[int(len(spent) * 0.95) - 1]
        print(
            f"{name:40} {statistics.median(spent):8.1f} {p95:8.1f} {spent[-1]:8.1f} "
            f"{queries[name]:8d}"
        )


if __name__ == "__main__":
    main()
