from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        # A finished request asks its customer for feedback: requests_app may not import this
        # app (it sits to its left), so this app registers its service with requests_app's
        # extension point (see requests_app.services).
        from feedback.services import feedback_ask
        from requests_app.services import when_request_finished

        when_request_finished("feedback.ask", feedback_ask)

        # The request's and the customer's timelines show the survey asked and answered
        # (requests_app.timeline).
        from feedback.timeline import feedback_entries
        from requests_app.timeline import add_source

        add_source("feedback", _("Feedback"), feedback_entries)
