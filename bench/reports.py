"""Time every manager report for a whole year, and each dashboard, server-side, and the task
worker's count of the day counts after a change.

The database must hold the benchmark's volume (bench/README.md): on a database of its own,

    export DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/callcenter_bench
    .venv/bin/python manage.py migrate --noinput
    .venv/bin/python manage.py load_demo_data          # the users agent, supervisor, manager
    .venv/bin/python manage.py generate_volume --requests 1000000 --days 365
    .venv/bin/python manage.py refresh_reports         # the day counts of every day
    .venv/bin/python bench/reports.py --repeat 20

Each page is fetched through Django's test client as the demo manager (or the agent and the
supervisor for their dashboards): the view, its queries and its template, without the network.
Every page is fetched once to warm up, then --repeat times; the median, p95 and maximum are
printed, with the number of SQL queries of one fetch, and the script stops if a page writes.
--explain prints PostgreSQL's plan of the slowest page's queries. Reports read the day counts
as the worker left them; --busy changes a request of today before every fetch, as agents do all
day, and times apart what the worker then does (reports.services.report_days_refresh). Run it
five minutes or more after loading the data: until then the worker's count takes the whole
year again (the rollup's margin for transactions that commit late).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from reports.rollup import refreshed_at  # noqa: E402
from reports.services import report_days_count_all, report_days_refresh  # noqa: E402

YEAR = "period=year"
REPORTS = [
    f"/reports/volume/?{YEAR}&grain=day&by=type",
    f"/reports/volume/?{YEAR}&grain=week&by=channel",
    f"/reports/volume/?{YEAR}&grain=month&by=department",
    f"/reports/volume/?{YEAR}&grain=month&by=provider",
    f"/reports/volume/?{YEAR}&grain=week&by=category",
    f"/reports/volume/?{YEAR}&grain=month&by=problem_code",
    f"/reports/volume/?{YEAR}&grain=month&by=agent",
    f"/reports/handling/?{YEAR}",
    "/reports/backlog/",
    f"/reports/work-orders/?{YEAR}",
    f"/reports/knowledge-base/?{YEAR}",
    f"/reports/volume/?{YEAR}&grain=day&by=department&download=volume",
    f"/reports/handling/?{YEAR}&download=agents",
    f"/reports/feedback/?{YEAR}&by=department&grain=month",
    f"/reports/feedback/?{YEAR}&by=problem_code&grain=week",
    f"/reports/feedback/?{YEAR}&by=agent&grain=month",
    f"/reports/feedback/?{YEAR}&by=channel&grain=week",
    f"/reports/feedback/?{YEAR}&by=type&grain=week",
    f"/reports/feedback/?{YEAR}&by=agent&grain=week&download=feedback",
    "/feedback/comments/",
    "/feedback/comments/?satisfaction=1&channel=phone",
    "/feedback/comments/?text=waiting",
]
DASHBOARDS = [("agent", "/today/"), ("supervisor", "/today/"), ("manager", "/today/")]


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


WRITES = ("INSERT", "UPDATE", "DELETE")


def timed(
    client: Client, url: str, repeat: int, busy: bool, counting: list[float]
) -> tuple[list[float], int]:
    response = client.get(url, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, (url, response.status_code)
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url, HTTP_HOST="127.0.0.1")
    writes = [sql for sql in statements if sql.lstrip().upper().startswith(WRITES)]
    assert not writes, (url, writes)
    times = []
    for _ in range(repeat):
        if busy:
            touch_a_request_of_today()
            started = time.perf_counter()
            report_days_refresh()  # what the task worker does once the change committed
            counting.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        client.get(url, HTTP_HOST="127.0.0.1")
        times.append((time.perf_counter() - started) * 1000)
    return times, len(statements)


def touch_a_request_of_today() -> None:
    """An agent saved a request a moment ago: the worker's next count counts today again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE requests_app_customerrequest SET updated_at = now() WHERE id = "
            "(SELECT max(id) FROM requests_app_customerrequest)"
        )


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--busy",
        action="store_true",
        help="Before each fetch, change a request of today, as agents do all day, and time "
        "the task worker's count that follows apart from the page.",
    )
    options = parser.parse_args()
    setup_test_environment()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(started_at), max(started_at) FROM requests_app_customerrequest"
        )
        count, first, last = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM workorders_workorder")
        work_orders = cursor.fetchone()[0]
    print(
        f"{count:,} requests from {first:%Y-%m-%d} to {last:%Y-%m-%d}, {work_orders:,} work orders"
    )
    if refreshed_at() is None:
        started = time.perf_counter()
        report_days_count_all()
        print(f"day counts of every day counted in {time.perf_counter() - started:.1f} s")
    print(f"{'page':<70} {'median':>8} {'p95':>8} {'max':>8} {'queries':>8}")
    pages = [("manager", url) for url in REPORTS] + DASHBOARDS
    clients = {}
    counting: list[float] = []
    slowest = (0.0, "", "")
    for username, url in pages:
        client = clients.setdefault(username, client_for(username))
        times, queries = timed(client, url, options.repeat, options.busy, counting)
        label = f"{url} ({username})" if url == "/today/" else url
        print(
            f"{label:<70} {statistics.median(times):>8.1f} {p95(times):>8.1f} "
            f"{max(times):>8.1f} {queries:>8}"
        )
        slowest = max(slowest, (p95(times), username, url))
    if counting:
        print(
            f"the worker's count after a change of today ({len(counting)}): median "
            f"{statistics.median(counting):.1f} ms, p95 {p95(counting):.1f} ms, "
            f"max {max(counting):.1f} ms"
        )
    if options.explain and connection.vendor == "postgresql":
        _p95, username, url = slowest
        with CaptureQueriesContext(connection) as queries:
            clients[username].get(url, HTTP_HOST="127.0.0.1")
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                if (
                    query["sql"].lstrip().upper().startswith("SELECT")
                    and "GROUP BY" in query["sql"]
                ):
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print("\n".join(row[0] for row in cursor.fetchall()), "\n")


if __name__ == "__main__":
    main()
