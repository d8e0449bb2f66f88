"""The Administrator tries, over real HTTP requests, to give itself or another user more power
than the four roles: superuser or staff status, another role, a role's permissions one by one.
Through the users page with crafted posts and through Django's admin, every try is refused and
the database is left as it was."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from accounts.services import user_fingerprint, user_roles
from callcenter import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "cobalt-harbour-lantern-42"


def powers() -> dict:
    """Who may what: every user's flags, groups and single permissions, every role's
    permissions, and how many users there are."""
    return {
        "users": {
            user.username: (
                user.is_superuser,
                user.is_staff,
                user.is_active,
                sorted(user.groups.values_list("name", flat=True)),
                sorted(user.user_permissions.values_list("codename", flat=True)),
            )
            for user in User.objects.all()
        },
        "roles": {
            group.name: sorted(group.permissions.values_list("codename", flat=True))
            for group in Group.objects.all()
        },
    }


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def staff_admin_client(client, administrator):
    """The Administrator as the demo data used to make it: with staff status, which used to
    open Django's admin."""
    administrator.is_staff = True
    administrator.save()
    client.force_login(administrator)
    return client


def supervisor_permission_ids() -> list[str]:
    return [
        str(pk)
        for pk in Group.objects.get(name=roles.SUPERVISOR).permissions.values_list("pk", flat=True)
    ]


def edit_post(client, target: User, **extra):
    data = {
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": target.email,
        "roles": user_roles(target),
        "fingerprint": user_fingerprint(target),
        **extra,
    }
    return client.post(reverse("accounts:user_edit", args=[target.pk]), data)


# Through the users page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"is_superuser": "on"},
        {"is_staff": "on"},
        {"is_superuser": "1", "is_staff": "1"},
        {"groups": "SUPERVISOR_GROUP"},
        {"user_permissions": "SUPERVISOR_PERMISSIONS"},
    ],
    ids=["superuser", "staff", "both", "groups", "single-permissions"],
)
@pytest.mark.parametrize("whom", ["itself", "another user"])
def test_crafted_posts_to_the_users_page_grant_nothing(
    admin_client, administrator, agent, extra, whom
):
    extra = {
        name: (
            str(Group.objects.get(name=roles.SUPERVISOR).pk)
            if value == "SUPERVISOR_GROUP"
            else supervisor_permission_ids()
            if value == "SUPERVISOR_PERMISSIONS"
            else value
        )
        for name, value in extra.items()
    }
    target = administrator if whom == "itself" else agent
    before = powers()

    response = edit_post(admin_client, target, **extra)

    assert response.status_code == 200
    assert "granted only by a superuser" in response.content.decode()
    assert powers() == before


def test_an_administrator_cannot_give_itself_another_role(admin_client, administrator):
    before = powers()
    response = edit_post(admin_client, administrator, roles=[roles.ADMINISTRATOR, roles.SUPERVISOR])
    assert "You cannot change your own roles." in response.content.decode()
    assert powers() == before


def test_no_role_beyond_the_four_can_be_posted(admin_client, agent):
    before = powers()
    for role in ["Superuser", "superuser", "staff", str(Group.objects.get(name=roles.AGENT).pk)]:
        response = edit_post(admin_client, agent, roles=[role])
        assert "is not one of the available choices" in response.content.decode()
    assert powers() == before


def test_a_new_user_cannot_be_created_with_superuser_status(admin_client):
    before = powers()
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "accomplice",
            "roles": [roles.ADMINISTRATOR],
            "password": GOOD_PASSWORD,
            "password_again": GOOD_PASSWORD,
            "is_superuser": "on",
            "is_staff": "on",
            "user_permissions": supervisor_permission_ids(),
        },
    )
    assert response.status_code == 200
    assert "granted only by a superuser" in response.content.decode()
    assert powers() == before


def test_an_administrator_cannot_touch_a_superuser(admin_client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    before = powers()
    assert edit_post(admin_client, root, roles=[roles.AGENT]).status_code == 403
    response = admin_client.post(
        reverse("accounts:user_password", args=[root.pk]),
        {
            "password": GOOD_PASSWORD,
            "password_again": GOOD_PASSWORD,
            "fingerprint": user_fingerprint(root),
        },
    )
    assert response.status_code == 403
    response = admin_client.post(
        reverse("accounts:user_set_active", args=[root.pk]),
        {"active": "0", "fingerprint": user_fingerprint(root)},
    )
    assert response.status_code == 403
    assert powers() == before
    root.refresh_from_db()
    assert root.check_password("demo")


def test_an_administrator_cannot_deactivate_itself(admin_client, administrator):
    before = powers()
    admin_client.post(
        reverse("accounts:user_set_active", args=[administrator.pk]),
        {"active": "0", "fingerprint": user_fingerprint(administrator)},
    )
    assert powers() == before


# Through Django's admin --------------------------------------------------------------------------


def test_the_admin_refuses_the_administrator(staff_admin_client):
    for url in ["/admin/", "/admin/auth/user/", "/admin/auth/group/"]:
        response = staff_admin_client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/admin/login/"), url


def test_the_admins_user_form_cannot_make_the_administrator_superuser(
    staff_admin_client, administrator, agent
):
    before = powers()
    for target in (administrator, agent):
        response = staff_admin_client.post(
            f"/admin/auth/user/{target.pk}/change/",
            {
                "username": target.username,
                "is_active": "on",
                "is_staff": "on",
                "is_superuser": "on",
                "groups": [str(group.pk) for group in Group.objects.all()],
                "user_permissions": [
                    str(pk) for pk in Permission.objects.values_list("pk", flat=True)
                ],
                "date_joined_0": "2025-01-01",
                "date_joined_1": "00:00:00",
            },
        )
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
    assert powers() == before


def test_the_admins_group_form_cannot_widen_a_role(staff_admin_client):
    before = powers()
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    response = staff_admin_client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {
            "name": group.name,
            "permissions": [str(pk) for pk in Permission.objects.values_list("pk", flat=True)],
        },
    )
    assert response.url.startswith("/admin/login/")
    assert powers() == before


def test_the_admins_add_and_password_forms_are_closed_too(staff_admin_client, agent):
    before = powers()
    response = staff_admin_client.post(
        "/admin/auth/user/add/",
        {"username": "root2", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )
    assert response.url.startswith("/admin/login/")
    response = staff_admin_client.post(
        f"/admin/auth/user/{agent.pk}/password/",
        {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )
    assert response.url.startswith("/admin/login/")
    assert powers() == before
    agent.refresh_from_db()
    assert agent.check_password("demo")


def test_logging_in_at_the_admin_does_not_open_it_either(client, administrator):
    administrator.is_staff = True
    administrator.save()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "demo", "next": "/admin/"}
    )
    assert response.status_code == 302
    # Logged in, but the admin lets no one but a superuser in: back to its login page.
    response = client.get("/admin/auth/user/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_a_superuser_still_uses_the_admin(client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get("/admin/auth/user/").status_code == 200
