"""Optimistic locking: two people editing the same thing never overwrite each other unseen.

A form carries the version it was opened at; saving locks the row, compares, and refuses when
someone saved in between. The view then shows the other person's values next to the user's own.
"""

from django.db import models

from callcenter.display import display_form_value, display_value


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


def form_differences(form, current: models.Model) -> list[dict]:
    """Field by field, what the other person saved and what this user typed, where they differ."""
    return [
        {
            "label": form.fields[name].label,
            "theirs": display_value(current, name),
            "yours": display_form_value(form, name),
        }
        for name in form._meta.fields
        if getattr(current, name) != form.cleaned_data[name]
    ]


def rebind_at_current_version(form_class, data, current: models.Model, message: str):
    """The user's input again, now carrying the version saved meanwhile, so that saving once
    more keeps it knowingly; with `message` at the top of the form."""
    data = data.copy()
    data["version"] = current.version
    form = form_class(data, instance=current)
    form.is_valid()
    form.add_error(None, message)
    return form
