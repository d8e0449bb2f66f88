"""A real database outage for tests: no mock, the next query really fails to connect."""

import socket
from contextlib import contextmanager
from copy import copy

from django.db import connection

CONNECTION_STATE = (
    "in_atomic_block",
    "savepoint_ids",
    "atomic_blocks",
    "needs_rollback",
    "health_check_enabled",
    "close_at",
    "closed_in_transaction",
    "errors_occurred",
    "health_check_done",
    "run_on_commit",
)


def closed_port() -> int:
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_unreachable():
    """Until the block ends, every new connection to the database fails: SQLite is pointed at a
    file that cannot be opened, PostgreSQL at a closed port. The open connection is set aside
    (SQLite's in-memory test database lives only as long as it) and comes back afterwards.

    Shared by the live server's thread: on SQLite it uses this very connection; on PostgreSQL
    its own connections (to the same settings) are ended by the server, so they reconnect."""
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("NAME", "HOST", "PORT")}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    else:
        settings_dict["NAME"] = "/nonexistent-directory/callcenter.sqlite3"
    kept = connection.connection
    # A failed connect() resets the transaction bookkeeping (a test's own atomic block among it).
    state = {name: copy(getattr(connection, name)) for name in CONNECTION_STATE}
    connection.connection = None
    try:
        yield
    finally:
        settings_dict.update(saved)
        connection.connection = kept
        for name, value in state.items():
            setattr(connection, name, value)
