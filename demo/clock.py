"""The demo's clock: ninety days of a call center's work replayed through the services, each
step at its own moment.

The services take the time from django.utils.timezone.now() (a request's start and finish, a
work order's opening and closing, every history row, auto_now fields); while the replay runs,
that is this clock, which the demo moves forward from one step to the next. Nothing else about
the services changes: the demo's requests and work orders pass every check a desk's do.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.test.utils import override_settings
from django.utils import timezone

# The tasks the services queue while the past is replayed (callers told that their work order
# was completed, report counts) are dropped: that past is over. The demo counts the reports'
# days itself once it is done.
DROPPED_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


@contextmanager
def replay(start: datetime) -> Iterator[Clock]:
    """The services' time is the clock's, starting at `start`, until the block ends."""
    clock = Clock(start)
    # DEBUG off: Django would keep and format each of the replay's tens of thousands of queries.
    replaying = override_settings(TASKS=DROPPED_TASKS, DEBUG=False)
    with mock.patch.object(timezone, "now", clock), replaying:
        yield clock
