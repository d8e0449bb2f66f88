from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self):
        from django.db.models.signals import post_save

        from calls.models import CallEvent
        from calls.sections import customer_calls, request_calls
        from calls.tasks import recording_after_call_end
        from requests_app.sections import add_customer_section, add_request_section

        # The request's and the customer's pages show their calls (requests_app.sections).
        add_request_section("calls", request_calls)
        add_customer_section("calls", customer_calls)

        # A recorded call's end asks the task worker to store its recording.
        post_save.connect(
            recording_after_call_end, sender=CallEvent, dispatch_uid="calls_recording_after_end"
        )
