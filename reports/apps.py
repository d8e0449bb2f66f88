from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from reports.sql import register_sqlite_functions

        # SQLite has no median: each new connection gets one (infrastructure, not a rule).
        connection_created.connect(register_sqlite_functions)
