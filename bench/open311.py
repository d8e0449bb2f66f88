"""Time Open311's reads on the benchmark database `generate_volume` made (bench/README.md,
"Customer requests"):

    DEBUG=false SECRET_KEY=bench-only-not-secret SECURE_SSL_REDIRECT=false \\
    ALLOWED_HOSTS=testserver,127.0.0.1 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/open311_bench \\
        .venv/bin/python bench/open311.py --runs 100

In-process through Django's test client (no login: the interface is public), or over HTTP
with --base-url http://127.0.0.1:8000 against a running server; one request at a time in a
shuffled mix, each kind reported as median, p95 and max, the median CPU time of this process
(in-process, that is Django's share without PostgreSQL's), with the rows and bytes answered
and (in-process) its SQL statements:

- GET requests.json and requests.xml as an app first asks them: the last 90 days, the
  specification's 1,000 newest rows;
- the same filtered by status=open, by one public service code, and by a 30-day window
  somewhere in the last year (start_date, end_date);
- one request by its number (requests/{id}.json), and the service list.

Reads only; the database is not changed.
"""

import argparse
import os
import random
import statistics
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from hierarchy.models import ProblemCode  # noqa: E402
from requests_app.models import CustomerRequest, RequestType  # noqa: E402

API = "/open311/v2/"


def kinds() -> dict:
    codes = list(ProblemCode.objects.filter(is_public=True).values_list("code", flat=True))
    numbers = list(
        CustomerRequest.objects.filter(
            request_type=RequestType.ACTION, problem_code__code__in=codes
        )
        .order_by("?")
        .values_list("number", flat=True)[:2000]
    )
    now = datetime.now(UTC)

    def window() -> str:
        start = now - timedelta(days=random.randint(30, 365))
        end = start + timedelta(days=30)
        return urlencode(
            {"start_date": f"{start:%Y-%m-%dT%H:%M:%SZ}", "end_date": f"{end:%Y-%m-%dT%H:%M:%SZ}"}
        )

    return {
        "requests.json, 90 days": lambda: "requests.json",
        "requests.xml, 90 days": lambda: "requests.xml",
        "requests.json, status=open": lambda: "requests.json?status=open",
        "requests.json, one service": lambda: (
            "requests.json?" + urlencode({"service_code": random.choice(codes)})
        ),
        "requests.json, 30 days in the year": lambda: "requests.json?" + window(),
        "requests/{id}.json": lambda: f"requests/{random.choice(numbers)}.json",
        "services.json": lambda: "services.json",
    }


def fetch_in_process(client: Client, url: str) -> tuple[int, bytes, int]:
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(API + url)
    return response.status_code, response.content, len(captured)


def fetch_over_http(base: str, url: str) -> tuple[int, bytes, int]:
    with urllib.request.urlopen(base.rstrip("/") + API + url, timeout=30) as response:
        return response.status, response.read(), 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="requests of each kind")
    parser.add_argument("--base-url", help="a running server instead of the test client")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)
    setup_test_environment()
    client = Client()
    fetch = (
        (lambda url: fetch_over_http(args.base_url, url))
        if args.base_url
        else (lambda url: fetch_in_process(client, url))
    )
    made = kinds()
    plan = [name for name in made for _ in range(args.runs)]
    random.shuffle(plan)
    times: dict[str, list[float]] = {name: [] for name in made}
    # This process's CPU time per request (in-process: Django and the driver, not PostgreSQL):
    # on a shared machine the wall time also counts the time spent waiting for a core.
    cpu: dict[str, list[float]] = {name: [] for name in made}
    sizes: dict[str, tuple[int, int, int]] = {}
    for name in made:  # warm up: the first plans, the connection
        fetch(made[name]())
    for name in plan:
        url = made[name]()
        started, cpu_started = time.perf_counter(), time.process_time()
        status, body, queries = fetch(url)
        times[name].append((time.perf_counter() - started) * 1000)
        cpu[name].append((time.process_time() - cpu_started) * 1000)
        if status != 200:
            raise SystemExit(f"{url}: {status}")
        rows = body.count(b"<request>") if ".xml" in url else body.count(b'"service_request_id"')
        sizes[name] = (rows or body.count(b'"service_code"'), len(body), queries)
    print(
        f"{'kind':36} {'median':>8} {'p95':>8} {'max':>8} {'cpu':>6} "
        f"{'rows':>6} {'KB':>6} {'SQL':>4}"
    )
    for name, spent in times.items():
        spent.sort()
        p95 = spent[int(len(spent) * 0.95) - 1]
        rows, size, queries = sizes[name]
        print(
            f"{name:36} {statistics.median(spent):8.1f} {p95:8.1f} {spent[-1]:8.1f} "
            f"{statistics.median(cpu[name]):6.1f} {rows:6d} {size // 1024:6d} {queries:4d}"
        )


if __name__ == "__main__":
    main()
