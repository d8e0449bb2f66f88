from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and logins")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from accounts.login import log_lockout
        from accounts.middleware import mark_fresh

        # django-axes tells of a lock by this signal; the lock is only logged here.
        user_locked_out.connect(log_lockout, dispatch_uid="accounts.log_lockout")
        user_logged_in.connect(mark_fresh, dispatch_uid="accounts.mark_fresh")
