"""Count every day of the reports again, now (the task worker counts only the days whose
requests changed, found by their updated_at)."""

import time

from django.core.management.base import BaseCommand

from reports.models import RequestDay
from reports.services import report_days_count_all


class Command(BaseCommand):
    help = (
        "Count the reports' day counts again for every day: after an import or a migration "
        "that wrote requests without their updated_at, or a change of TIME_ZONE."
    )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        report_days_count_all()
        days = RequestDay.objects.values("day").distinct().count()
        self.stdout.write(f"Counted {days} days in {time.perf_counter() - started:.1f} s.")
