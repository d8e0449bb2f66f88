from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # requests_app may not import the reports (they sit to its right in the direction of
        # dependency, docs/design.md): it says that requests changed, and the reports listen.
        from reports.tasks import refresh_after_commit
        from requests_app.signals import requests_changed

        requests_changed.connect(refresh_after_commit, dispatch_uid="reports.refresh")
