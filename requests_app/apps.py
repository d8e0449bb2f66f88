from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Customer requests")

    def ready(self) -> None:
        # Completing a work order resolves its requests: workorders may not import this app
        # (it sits to its left), so this app registers its service with workorders' extension
        # point (see workorders.services).
        from requests_app.services import requests_resolve_for_work_order
        from workorders.services import when_work_order_completed

        when_work_order_completed("requests_app.resolve", requests_resolve_for_work_order)

        # The timeline's own entries: each request's start, its history, and its work orders'
        # steps (workorders may not import this app, so this app reads them).
        from requests_app.timeline import (
            add_source,
            request_history,
            request_starts,
            work_order_events,
        )

        add_source("started", _("Requests"), request_starts)
        add_source("history", _("History"), request_history)
        add_source("work_orders", _("Work orders"), work_order_events)
