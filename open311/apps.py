from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "open311"
    verbose_name = _("Open311")

    def ready(self) -> None:
        from open311.timeline import web_report_entries
        from requests_app.timeline import add_source

        # The request's and the customer's timelines show the web reports, the apps' and the
        # residents' form's alike (requests_app.timeline).
        add_source("web", _("Web reports"), web_report_entries)
