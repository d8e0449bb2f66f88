"""Time the catalogue's heavy paths on a throwaway test database: the CSV import of a large
catalogue (fresh, and again unchanged), its export, and the picker's search.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/callcenter \\
        .venv/bin/python bench/catalogue.py --codes 10000

It creates and drops test_<name>; the database DATABASE_URL names is not touched.
"""

import argparse
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from hierarchy.catalogue_csv import COLUMNS, catalogue_export, catalogue_import  # noqa: E402
from hierarchy.models import ProblemCode  # noqa: E402

WORDS = ["broken", "missing", "leaking", "blocked", "damaged", "noisy", "dirty", "late"]
THINGS = ["bin", "light", "pipe", "sign", "bench", "tree", "drain", "signal", "meter", "hydrant"]


def catalogue_csv(codes: int, renamed: str = "") -> bytes:
    """A catalogue of 10 departments × 5 providers × 10 categories, the codes spread over them."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for number in range(codes):
        category = number % 500
        writer.writerow(
            {
                "department": f"Department {category // 50}",
                "provider": f"Provider {category // 10}",
                "category": f"Category {category}",
                "code": f"C{number:05d}",
                "name": f"{WORDS[number % 8]} {THINGS[number // 8 % 10]} {number}{renamed}",
                "priority": "normal",
                "permanent_fix_days": "10",
                "standard_work_order": f"Standard work order {number % 200}",
                "standard_work_order_trade": "General",
            }
        )
    return buffer.getvalue().encode("utf-8")


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def picker_search_times(queries: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        for query in queries:
            times.append(
                timed(
                    lambda q=query: list(ProblemCode.objects.usable().with_path().matching(q)[:21])
                )
            )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, default=10_000)
    options = parser.parse_args()

    setup_test_environment()
    from django.conf import settings

    settings.CATALOGUE_IMPORT_MAX_ROWS = max(settings.CATALOGUE_IMPORT_MAX_ROWS, options.codes)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        data = catalogue_csv(options.codes)
        print(f"{connection.vendor}, {options.codes} problem codes, {len(data) // 1024} KiB CSV")

        def import_file():
            catalogue_import(io.BytesIO(data), user=None)

        print(f"import, fresh:     {timed(import_file):7.0f} ms")
        print(f"import, unchanged: {timed(import_file):7.0f} ms")
        # Every code renamed: 10,000 updates, each counting its version.
        renamed = catalogue_csv(options.codes, renamed=" (renamed)")

        def import_renamed():
            catalogue_import(io.BytesIO(renamed), user=None)

        print(f"import, renamed:   {timed(import_renamed):7.0f} ms")
        print(f"export:            {timed(lambda: catalogue_export(io.BytesIO())):7.0f} ms")
        times = sorted(picker_search_times(["C0123", "leak", "pipe 4", "category 42", "zzz"], 20))
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"picker search:     median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms "
            f"({len(times)} searches)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
