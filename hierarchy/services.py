"""The catalogue's verbs. The forms, the CSV import (hierarchy.catalogue_csv) and the demo data
all write through these, and all of them through one writer, `_write`: so an entry's values are
tidied the same way, the inactive-parent rule is `catalogue_refusals` and nothing else, and every
change of an entry counts its version up in `_stamp`, whichever way it came."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.concurrency import lock_for_edit
from hierarchy.models import KEYWORD_FIELDS, CatalogueItem, ProblemCode, normalise_keywords

# An entry and the values to give it: a stored entry (locked by the caller, select_for_update)
# or a new, unsaved one whose parent is set (an entry created in the same write, or stored).
Change = tuple[CatalogueItem, dict[str, Any]]

# Rows per INSERT or UPDATE: well under SQLite's limit of variables per statement.
BATCH = 500


@dataclass
class CatalogueCounts:
    """Of the entries of one level given to a write: how many were created, updated, or had
    nothing to change."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Refusal:
    """`item` would be created, moved or reactivated under `level`, which is inactive."""

    item: CatalogueItem
    level: CatalogueItem


def catalogue_refusals(changes: Sequence[Change]) -> list[Refusal]:
    """The inactive-parent rule, for one write of any number of entries: nothing can be
    created, moved or reactivated under a level that is inactive in the database (itself, or a
    level above it), unless the same write reactivates that level. A level the same write creates
    or deactivates does not refuse: so the export of a deactivated department imports into an
    empty database. Changing anything else of an entry under an inactive level is allowed.

    Reads only what the entries hold: the levels above each must be loaded with them (the forms'
    choices are; the import links them), or each is a query. Levels top first, per entry.
    """
    reactivated = {
        (type(item), item.pk)
        for item, values in changes
        if item.pk is not None and values.get("is_active") is True and not item.is_active
    }
    refusing: dict[int, list[CatalogueItem]] = {}  # by id() of the parent: codes share them

    def refusing_above(parent: CatalogueItem) -> list[CatalogueItem]:
        if id(parent) not in refusing:
            refusing[id(parent)] = [
                level
                for level in [*parent.ancestors(), parent]
                if level.pk is not None
                and not level.is_active
                and (type(level), level.pk) not in reactivated
            ]
        return refusing[id(parent)]

    refusals = []
    for item, values in changes:
        parent = values[item.parent_field] if item.parent_field in values else _parent(item)
        if parent is not None and _adds(item, parent, values.get("is_active", item.is_active)):
            refusals.extend(Refusal(item, level) for level in refusing_above(parent))
    return refusals


def _parent(item: CatalogueItem) -> CatalogueItem | None:
    """The level above, or None where none is set yet (a new entry whose form left it out)."""
    if not item.parent_field:
        return None
    field = item._meta.get_field(item.parent_field)
    if getattr(item, field.attname) is None and not field.is_cached(item):
        return None
    return item.parent


def _adds(item: CatalogueItem, parent: CatalogueItem | None, active: bool) -> bool:
    """Whether the write creates the entry, puts it under another parent, or reactivates it."""
    if item.pk is None:
        return True
    stored_parent = getattr(item, f"{item.parent_field}_id") if item.parent_field else None
    if stored_parent != getattr(parent, "pk", None):
        return True
    return active and not item.is_active


def _refusal_error(refusals: list[Refusal]) -> ValidationError:
    errors: dict[str, list[str]] = {}
    for refusal in refusals:
        errors.setdefault(refusal.item.parent_field, []).append(
            _("“%(parent)s” is inactive. Reactivate it first or choose an active one.")
            % {"parent": refusal.level}
        )
    return ValidationError(errors)


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


def _stamp(model: type[CatalogueItem], items: list[CatalogueItem], user) -> None:
    """Count up the version of each changed entry and say who changed it and when, so that a
    form opened before the change notices it (callcenter.concurrency.lock_for_edit). In the
    database one UPDATE a batch, the same for every row (no CASE per row); in memory, so that
    the caller holds what is stored. The rows are locked by the caller: version + 1 is exact."""
    now = timezone.now()
    pks = [item.pk for item in items]
    for start in range(0, len(pks), BATCH):
        model.objects.filter(pk__in=pks[start : start + BATCH]).update(
            version=models.F("version") + 1, updated_by=user, updated_at=now
        )
    for item in items:
        item.version += 1
        item.updated_by = user
        item.updated_at = now


def _differs(item: CatalogueItem, name: str, value: Any) -> bool:
    model_field = item._meta.get_field(name)
    if model_field.is_relation:
        # Compare ids: an entry created in the same write has none yet, so it always differs.
        return getattr(item, model_field.attname) != (value.pk if value is not None else None)
    return getattr(item, name) != value


def _write(
    changes: Sequence[Change], user: AbstractBaseUser | None, *, clean: bool
) -> dict[type[CatalogueItem], CatalogueCounts]:
    """The one writer of catalogue entries: refuse what the inactive-parent rule refuses, then,
    level by level in the order they first appear (parents first, so that a new entry's parent
    has its id by then), create the new entries and update the changed ones in batches, leaving
    the others untouched. `clean`: validate each written entry with full_clean (the forms' path;
    the import has checked every value with the model's own fields, and a full_clean of
    thousands of entries costs a query each)."""
    refusals = catalogue_refusals(changes)
    if refusals:
        raise _refusal_error(refusals)
    by_model: dict[type[CatalogueItem], list[Change]] = {}
    for item, values in changes:
        by_model.setdefault(type(item), []).append((item, values))
    counts = {}
    for model, model_changes in by_model.items():
        counts[model] = _write_level(model, model_changes, user, clean=clean)
    return counts


def _write_level(
    model: type[CatalogueItem], changes: list[Change], user, *, clean: bool
) -> CatalogueCounts:
    counts = CatalogueCounts()
    created, updated, fields = [], [], set()
    for item, values in changes:
        values = _normalise(model, values)
        if item.pk is None:
            for name, value in values.items():
                setattr(item, name, value)
            item.updated_by = user
            created.append(item)
        else:
            changed = [name for name, value in values.items() if _differs(item, name, value)]
            if not changed:
                counts.unchanged += 1
                continue
            for name in changed:
                setattr(item, name, values[name])
            fields.update(changed)
            updated.append(item)
        if clean:
            item.full_clean()
    model.objects.bulk_create(created, batch_size=BATCH)
    if updated:
        model.objects.bulk_update(updated, sorted(fields), batch_size=BATCH)
        _stamp(model, updated, user)
    counts.created, counts.updated = len(created), len(updated)
    return counts


@transaction.atomic
def catalogue_items_upsert(
    *, changes: Sequence[Change], user: AbstractBaseUser | None
) -> dict[type[CatalogueItem], CatalogueCounts]:
    """Create and update many entries of any levels in one transaction (the CSV import): each
    new entry is created, each stored one given its values if any differ, with its version
    counted up. Parents come before their children in `changes`; stored entries were read with
    select_for_update in the caller's transaction, with the levels above them loaded.

    The values are not validated again (the caller has, field by field, with the model's
    fields); the inactive-parent rule is: ValidationError naming the parent field. Returns the
    counts per model.
    """
    return _write(changes, user, clean=False)


@transaction.atomic
def catalogue_item_create(
    *, model: type[CatalogueItem], values: dict[str, Any], user: AbstractBaseUser | None
) -> CatalogueItem:
    item = model()
    _write([(item, values)], user, clean=True)
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
    _write([(current, values)], user, clean=True)
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
    _write([(current, {"is_active": active})], user, clean=False)
    return current
