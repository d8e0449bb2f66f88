"""The calls' one clock: every service takes the time from `now()`, so that a test can set it
(monkeypatch `calls.clock.now`) and replay a call second by second."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
