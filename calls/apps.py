from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self):
        from calls.timeline import call_entries
        from requests_app.timeline import add_source

        # The request's and the customer's timelines show their calls (requests_app.timeline).
        add_source("calls", _("Calls"), call_entries)
