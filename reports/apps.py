from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # requests_app and feedback may not import the reports (they sit to their right in the
        # direction of dependency, docs/design.md): they say that requests or feedback changed,
        # and the reports listen.
        from feedback.signals import feedback_changed
        from reports.tasks import refresh_after_commit
        from requests_app.signals import requests_changed

        requests_changed.connect(refresh_after_commit, dispatch_uid="reports.refresh")
        feedback_changed.connect(refresh_after_commit, dispatch_uid="reports.refresh_feedback")
