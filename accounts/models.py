from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Session(AbstractBaseSession):
    """Django's database session with the signed-in user beside it (Django's documented way to
    extend the database session backend), so that all sessions of a user can be found and ended:
    on logout, on a password change or reset, on deactivation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        # The row is written from the session's data, not checked against the user table: a
        # session saved while its user is being deleted must not fail the request.
        db_constraint=False,
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore
