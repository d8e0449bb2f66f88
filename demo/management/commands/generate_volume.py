"""Fill the database with fake customers, customer requests and their work orders, for benchmarks
(bench/README.md).

    DEBUG=true manage.py generate_volume --requests 1000000 --customers 200000 --days 365

Adds to what is there; run it on a database of its own, never on a real call center's.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo import volume
from demo.catalogue import CATALOGUE
from demo.feedback import load_feedback_settings
from demo.management.commands.load_demo_data import DEMO_PASSWORD
from hierarchy.catalogue_csv import catalogue_import
from hierarchy.models import ProblemCode
from reports.services import report_days_count_all


class Command(BaseCommand):
    help = (
        "Generate realistic fake customers and customer requests, with the work orders of the "
        "action requests, in volume (COPY on PostgreSQL). Imports the demo catalogue into an "
        "empty catalogue and creates agents agent001, agent002 ... (password 'demo') until "
        "--agents agents exist. Adds to the data already there. Refused unless DEBUG is on or "
        "--force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=1_000_000)
        parser.add_argument("--customers", type=int, default=200_000)
        parser.add_argument("--days", type=int, default=365, help="Spread over the last N days.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--agents",
            type=int,
            default=50,
            help="Create agents until this many exist, so that calls per agent have a spread.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off: it writes fake data.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to write fake customers and requests while DEBUG is off; pass --force "
                "if this really is a benchmark or demo database."
            )
        for name in ("requests", "customers"):
            if options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        started = time.perf_counter()

        def say(message: str) -> None:
            self.stdout.write(f"[{time.perf_counter() - started:7.1f} s] {message}")

        if not ProblemCode.objects.usable().exists():
            with CATALOGUE.open("rb") as file:
                summary = catalogue_import(file, user=None)
            say(f"Catalogue was empty; imported the demo catalogue: {summary.message()}")
        created = volume.ensure_agents(options["agents"], password=DEMO_PASSWORD)
        if created:
            say(f"Created {len(created)} agents ({created[0]} to {created[-1]}, password 'demo').")

        if load_feedback_settings(None):
            say("No feedback setting saved: information and action requests ask, as in the demo.")

        def progress(label: str, done: int, total: int) -> None:
            say(f"{label}: {done:,} of {total:,}")

        say(
            f"Generating {options['customers']:,} customers and {options['requests']:,} requests "
            f"with their work orders over {options['days']} days (seed {options['seed']}), "
            f"{'COPY' if connection.vendor == 'postgresql' else 'bulk_create'}..."
        )
        try:
            summary = volume.load_volume(
                customers=options["customers"],
                requests=options["requests"],
                days=options["days"],
                seed=options["seed"],
                progress=progress,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        say(
            f"Loaded {summary.customers:,} customers, {summary.phones:,} phone numbers, "
            f"{summary.requests:,} requests and {summary.work_orders:,} work orders, "
            f"{summary.invitations:,} feedback invitations and {summary.answers:,} answers."
        )
        if connection.vendor == "postgresql":
            volume.analyze()
            say("Statistics refreshed (VACUUM ANALYZE).")
        # The rows were written in the past, not by the services that ask for a count.
        report_days_count_all()
        say("Reports' day counts counted again.")
        say("Done.")
