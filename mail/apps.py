from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from mail.sections import request_reply
        from mail.timeline import mail_entries
        from requests_app.sections import add_request_section
        from requests_app.timeline import add_source

        # The request's and the customer's timelines show their e-mails (requests_app.timeline).
        add_source("mail", _("E-mails"), mail_entries)
        # Its own section (and template): the box is no entry of the conversation.
        add_request_section("mail_reply", request_reply)
