from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self):
        from calls.sections import customer_calls, request_calls
        from requests_app.sections import add_customer_section, add_request_section

        # The request's and the customer's pages show their calls (requests_app.sections).
        add_request_section("calls", request_calls)
        add_customer_section("calls", customer_calls)
