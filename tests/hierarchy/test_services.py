"""The catalogue's one writer: the forms' services and the import's set-based upsert share the
inactive-parent rule, the tidying of values and the version count."""

import pytest
from django.core.exceptions import ValidationError

from hierarchy.models import Department, ProblemCode, ServiceCategory, ServiceProvider
from hierarchy.services import (
    catalogue_item_create,
    catalogue_item_set_active,
    catalogue_item_update,
    catalogue_items_upsert,
    catalogue_refusals,
)
from tests.factories import ServiceCategoryFactory

pytestmark = pytest.mark.django_db


def stored(item):
    return type(item).objects.get(pk=item.pk)


def test_the_form_names_the_inactive_level_not_the_active_parent_under_it(administrator, catalogue):
    Department.objects.filter(pk=catalogue["department"].pk).update(is_active=False)

    with pytest.raises(ValidationError) as error:
        catalogue_item_create(
            model=ProblemCode,
            values={"category": stored(catalogue["category"]), "code": "TV", "name": "TV set"},
            user=administrator,
        )

    assert error.value.message_dict == {
        "category": [
            "“Environmental Services” is inactive. Reactivate it first or choose an active one."
        ]
    }
    assert not ProblemCode.objects.filter(code="TV").exists()


def test_the_upsert_refuses_a_code_under_an_inactive_level_whoever_calls_it(
    administrator, catalogue
):
    category = stored(catalogue["category"])
    category.is_active = False
    category.save()

    with pytest.raises(ValidationError) as error:
        catalogue_items_upsert(
            changes=[(ProblemCode(category=category), {"code": "tv", "name": "TV set"})],
            user=administrator,
        )

    assert list(error.value.message_dict) == ["category"]
    assert not ProblemCode.objects.filter(code="TV").exists()


def test_a_level_reactivated_in_the_same_upsert_takes_new_codes(administrator, catalogue):
    Department.objects.filter(pk=catalogue["department"].pk).update(is_active=False)
    department = stored(catalogue["department"])
    provider = stored(catalogue["provider"])
    provider.department = department
    category = stored(catalogue["category"])
    category.provider = provider
    new_code = ProblemCode(category=category)

    counts = catalogue_items_upsert(
        changes=[
            (department, {"is_active": True}),
            (provider, {"name": "Solid Waste"}),
            (new_code, {"code": " tv ", "name": "TV set", "keywords_en": "telly;; Telly, screen"}),
        ],
        user=administrator,
    )

    assert stored(catalogue["department"]).is_active
    assert (counts[Department].updated, counts[ServiceProvider].unchanged) == (1, 1)
    created = ProblemCode.objects.get(code="TV")
    assert (created.category, created.keywords_en, created.updated_by) == (
        catalogue["category"],
        "telly, screen",
        administrator,
    )


def test_a_level_created_inactive_in_the_same_upsert_takes_new_codes(administrator):
    department = Department(name="Parks", is_active=False)
    provider = ServiceProvider(department=department, name="Park Maintenance")
    category = ServiceCategory(provider=provider, name="Benches")
    code = ProblemCode(category=category)

    catalogue_items_upsert(
        changes=[
            (department, {}),
            (provider, {}),
            (category, {}),
            (code, {"code": "BENCH", "name": "Broken bench"}),
        ],
        user=administrator,
    )

    assert ProblemCode.objects.get(code="BENCH").category.provider.department.name == "Parks"
    assert not ProblemCode.objects.usable().filter(code="BENCH").exists()


def test_editing_an_entry_under_an_inactive_level_is_no_refusal(catalogue):
    catalogue["department"].is_active = False
    appl = catalogue["appl"]
    appl.category.provider.department = catalogue["department"]

    assert catalogue_refusals([(appl, {"name": "Fridge pickup", "category": appl.category})]) == []
    moved = [(appl, {"category": ServiceCategoryFactory(provider=catalogue["provider"])})]
    assert [refusal.level for refusal in catalogue_refusals(moved)] == [catalogue["department"]]


def test_activating_and_deactivating_count_the_version_as_every_change_does(
    administrator, catalogue
):
    appl = catalogue["appl"]

    catalogue_item_set_active(item=appl, active=False, user=administrator)
    assert (stored(appl).is_active, stored(appl).version) == (False, 2)
    catalogue_item_set_active(item=appl, active=True, user=administrator)
    assert (stored(appl).is_active, stored(appl).version) == (True, 3)


def test_an_edit_that_changes_nothing_writes_nothing(administrator, catalogue):
    appl = stored(catalogue["appl"])

    saved = catalogue_item_update(
        item=appl,
        values={"name": appl.name, "category": appl.category},
        expected_version=appl.version,
        user=administrator,
    )

    assert (saved.version, stored(appl).updated_at, stored(appl).updated_by) == (
        1,
        appl.updated_at,
        None,
    )


def test_an_edit_counts_the_version_in_the_database_and_in_the_entry_returned(
    administrator, catalogue
):
    appl = stored(catalogue["appl"])

    saved = catalogue_item_update(
        item=appl,
        values={"name": "Fridge pickup", "code": " appl "},
        expected_version=1,
        user=administrator,
    )

    assert (saved.version, saved.updated_by, saved.code) == (2, administrator, "APPL")
    assert (stored(appl).version, stored(appl).name, stored(appl).updated_at) == (
        2,
        "Fridge pickup",
        saved.updated_at,
    )
