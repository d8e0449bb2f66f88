import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.db.migrations import RunPython
from django.db.migrations.loader import MigrationLoader

from callcenter.roles import ROLE_PERMISSIONS, sync_roles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roles():
    """The roles as the migrations make them (a transactional test before this one in the same
    process empties the database, and what the data migrations made with it)."""
    if not Group.objects.exists():
        sync_roles(django_apps)


def test_the_migrations_make_the_roles():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    runs = [
        operation.code
        for (app, _name), migration in loader.disk_migrations.items()
        if app == "callcenter"
        for operation in migration.operations
        if isinstance(operation, RunPython)
    ]
    assert sync_roles in runs


def test_there_are_four_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Agent",
        "Supervisor",
        "Administrator",
        "Manager",
    }


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_each_role_has_exactly_its_permissions(role):
    granted = {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == set(ROLE_PERMISSIONS[role])


def test_every_named_permission_exists():
    existing = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    for names in ROLE_PERMISSIONS.values():
        assert set(names) <= existing


def test_only_administrators_may_change_the_catalogue(agent, supervisor, administrator, manager):
    assert administrator.has_perm("hierarchy.change_problemcode")
    for user in (agent, supervisor, manager):
        assert user.has_perm("hierarchy.view_problemcode")
        assert not user.has_perm("hierarchy.change_problemcode")


def test_only_administrators_may_manage_users(agent, supervisor, administrator, manager):
    assert administrator.has_perms(["auth.view_user", "auth.add_user", "auth.change_user"])
    for user in (agent, supervisor, manager):
        assert not user.has_perm("auth.view_user")
        assert not user.has_perm("auth.change_user")


def test_no_role_may_grant_permissions_or_roles():
    # Whoever may change a group or a permission may widen any role; only superusers may.
    granted = {name for names in ROLE_PERMISSIONS.values() for name in names}
    for name in granted:
        assert not name.startswith(("auth.add_group", "auth.change_group", "auth.add_permission"))
        assert not name.startswith(("auth.change_permission", "auth.delete_"))


def test_migrations_create_no_users():
    from django.contrib.auth.models import User

    assert not User.objects.exists()
