from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from mail.sections import customer_mails, request_mails, request_reply
        from requests_app.sections import add_customer_section, add_request_section

        # The request's and the customer's pages show their e-mails (requests_app.sections).
        add_request_section("mail", request_mails)
        add_customer_section("mail", customer_mails)
        # Its own section (and template): the box stays where it is if the conversation moves.
        add_request_section("mail_reply", request_reply)
