import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

# When the session's end was last moved forward (seconds since the epoch), in the session.
REFRESHED_AT = "_refreshed_at"
# Moving the end on every request would write the session row on every request.
MOST_OFTEN = 300


def mark_fresh(sender, request, user, **kwargs) -> None:
    """At login the session is saved anyway (user_logged_in): its end was just set, so the
    first requests after it need not write it again."""
    request.session[REFRESHED_AT] = int(time.time())


def refresh_interval() -> int:
    """Seconds between two writes of a signed-in session: a few minutes, and never so long that
    a short idle time would lapse between two writes."""
    return max(1, min(MOST_OFTEN, settings.SESSION_COOKIE_AGE // 10))


class SessionIdleMiddleware:
    """A signed-in session ends SESSION_COOKIE_AGE seconds after its last request (the idle time),
    not after a fixed time: a session saved moves its end (in the database and the cookie) to
    now + SESSION_COOKIE_AGE, and this saves it when it was last saved long enough ago."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            refreshed_at = session.get(REFRESHED_AT)
            if not isinstance(refreshed_at, int) or now - refreshed_at >= refresh_interval():
                session[REFRESHED_AT] = now
        return self.get_response(request)
