"""Optimistic locking: two people editing the same thing never overwrite each other unseen.

A form carries the version it was opened at; saving locks the row, compares, and refuses when
someone saved in between. The view then shows the other person's values next to the user's own.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.forms import BaseForm

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
    # A copy: validating a model form writes the input into its instance, and `current` is
    # still shown as the other person saved it.
    form = form_class(data, instance=copy.copy(current))
    form.is_valid()
    form.add_error(None, message)
    return form


@dataclass
class SaveAttempt:
    """What became of a save: the object saved, or the form to show again (with the service's
    refusal in it, or rebound at the version someone else saved, beside their values)."""

    form: BaseForm
    saved: models.Model | None = None
    current: models.Model | None = None
    differences: list[dict] = field(default_factory=list)


def save_or_conflict(
    form: BaseForm,
    save: Callable[[], models.Model],
    message: str | Callable[[models.Model], str],
    *,
    rebind: Callable[[models.Model, str], BaseForm] | None = None,
    compare: Callable[[BaseForm, models.Model], list[dict]] | None = form_differences,
    refuse: Callable[[BaseForm, ValidationError], None] | None = None,
) -> SaveAttempt:
    """Call the service (`save`) with a valid form; when someone saved in between, keep the
    user's input in a form rebound at the current version with `message` at its top (a text, or
    one made from the object as saved), and what differs (`compare`; None for no comparison).
    A ValidationError from the service goes into the form (`refuse`, or above the fields)."""
    try:
        return SaveAttempt(form=form, saved=save())
    except EditConflict as conflict:
        current = conflict.current
        # Compared first: a rebinding that validates a model form may write into `current`.
        differences = compare(form, current) if compare else []
        text = message(current) if callable(message) else message
        if rebind is None:
            rebound = rebind_at_current_version(type(form), form.data, current, text)
        else:
            rebound = rebind(current, text)
        return SaveAttempt(form=rebound, current=current, differences=differences)
    except ValidationError as error:
        (refuse or _refuse_above_fields)(form, error)
        return SaveAttempt(form=form)


def _refuse_above_fields(form: BaseForm, error: ValidationError) -> None:
    form.add_error(None, error)
