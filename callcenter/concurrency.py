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


def rebind_at_current_version(form_class, data, current: models.Model, message: str):
    """The user's input again, now carrying the version saved meanwhile, so that saving once
    more keeps it knowingly; with `message` at the top of the form."""
    data = data.copy()
    data["version"] = current.version
    form = form_class(data, instance=current)
    form.is_valid()
    form.add_error(None, message)
    return form
