"""Optimistic locking: two people editing the same thing never overwrite each other unseen.

A form carries the version it was opened at; saving locks the row, compares, and refuses when
someone saved in between. The view then shows the other person's values next to the user's own.
"""

from django.db import models


class EditConflict(Exception):
    def __init__(self, current: models.Model):
        super().__init__(f"{current!r} changed since it was opened")
        self.current = current


def lock_for_edit(model: type[models.Model], pk: int, expected_version: int | None):
    """The row, locked until the transaction ends, if nobody saved it since expected_version."""
    current = model.objects.select_for_update().get(pk=pk)
    if expected_version != current.version:
        raise EditConflict(current)
    return current
