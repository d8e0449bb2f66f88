"""The catalogue's verbs. Views, the CSV import and the demo data all go through these."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from callcenter.concurrency import lock_for_edit
from hierarchy.models import KEYWORD_FIELDS, CatalogueItem, ProblemCode, normalise_keywords


def _normalise(model: type[CatalogueItem], values: dict[str, Any]) -> dict[str, Any]:
    if model is not ProblemCode:
        return values
    values = dict(values)
    if values.get("code"):
        values["code"] = values["code"].strip().upper()
    for field in KEYWORD_FIELDS.values():
        if field in values:
            values[field] = normalise_keywords(values[field])
    return values


def _refuse_inactive_parent(item: CatalogueItem) -> None:
    parent = item.parent
    if parent is not None and not parent.is_usable:
        raise ValidationError(
            {
                item.parent_field: _(
                    "“%(parent)s” is inactive. Reactivate it first or choose an active one."
                )
                % {"parent": parent}
            }
        )


@transaction.atomic
def catalogue_item_create(
    *, model: type[CatalogueItem], values: dict[str, Any], user: AbstractBaseUser | None
) -> CatalogueItem:
    item = model(**_normalise(model, values), updated_by=user)
    _refuse_inactive_parent(item)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def catalogue_item_update(
    *,
    item: CatalogueItem,
    values: dict[str, Any],
    expected_version: int | None,
    user: AbstractBaseUser | None,
) -> CatalogueItem:
    """Apply the edited values, unless someone else saved the item after it was opened.

    Raises EditConflict with the other person's version, or ValidationError.
    """
    current = lock_for_edit(type(item), item.pk, expected_version)
    parent_before = current.parent
    for field, value in _normalise(type(item), values).items():
        setattr(current, field, value)
    if current.parent != parent_before:
        _refuse_inactive_parent(current)
    current.full_clean()
    current.version += 1
    current.updated_by = user
    current.save()
    return current


@transaction.atomic
def catalogue_item_set_active(
    *, item: CatalogueItem, active: bool, user: AbstractBaseUser | None
) -> CatalogueItem:
    """Deactivate or reactivate. Entries are never deleted: requests keep pointing at them.

    Deactivating a level hides everything below it from pickers without changing it, so that
    reactivating brings the same tree back. Reactivating under an inactive parent is refused.
    """
    current = type(item).objects.select_for_update().get(pk=item.pk)
    if active:
        _refuse_inactive_parent(current)
    current.is_active = active
    current.updated_by = user
    current.save(update_fields=["is_active", "updated_by", "updated_at"])
    return current
