import logging

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import Session
from accounts.services import (
    user_create,
    user_fingerprint,
    user_roles,
    user_set_active,
    user_set_password,
    user_update,
)
from callcenter import roles
from callcenter.concurrency import EditConflict
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "cobalt-harbour-lantern-42"


def new_values(**values) -> dict:
    return {
        "username": "jdoe",
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.org",
        "roles": [roles.AGENT],
        **values,
    }


def sessions_of(user: User) -> int:
    return Session.objects.filter(user=user).count()


def log_in_elsewhere(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_creates_a_user_with_roles_and_a_password(administrator, caplog):
    caplog.set_level(logging.INFO, logger="accounts")
    user = user_create(
        actor=administrator,
        values=new_values(roles=[roles.AGENT, roles.SUPERVISOR]),
        password=GOOD_PASSWORD,
    )
    user.refresh_from_db()
    assert user.get_full_name() == "Jane Doe"
    assert user.email == "jane@example.org"
    assert user_roles(user) == [roles.AGENT, roles.SUPERVISOR]
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_staff and not user.is_superuser
    assert not user.user_permissions.exists()
    assert "admin created user jdoe with roles ['Agent', 'Supervisor']" in caplog.text


@pytest.mark.parametrize(
    ("values", "password", "field"),
    [
        ({"username": "Agent"}, GOOD_PASSWORD, "username"),  # taken, in another case
        ({"username": "has space"}, GOOD_PASSWORD, "username"),
        ({"email": "not-an-address"}, GOOD_PASSWORD, "email"),
        ({"roles": []}, GOOD_PASSWORD, "roles"),
        ({"roles": ["Superuser"]}, GOOD_PASSWORD, "roles"),
        ({}, "short", "password"),
        ({}, "password1234", "password"),
        ({}, "jane@example.org", "password"),  # like the user's own e-mail
    ],
)
def test_it_refuses_a_bad_user_naming_the_field(administrator, agent, values, password, field):
    with pytest.raises(ValidationError) as refused:
        user_create(actor=administrator, values=new_values(**values), password=password)
    assert field in refused.value.error_dict
    assert (
        not User.objects.filter(username=new_values(**values)["username"])
        .exclude(pk=agent.pk)
        .exists()
    )


@pytest.mark.parametrize(
    "extra",
    [{"is_superuser": True}, {"is_staff": True}, {"user_permissions": [1]}, {"groups": [1]}],
)
def test_it_never_grants_superuser_or_staff_status_or_permissions(administrator, extra):
    with pytest.raises(ValidationError):
        user_create(actor=administrator, values=new_values(**extra), password=GOOD_PASSWORD)
    assert not User.objects.filter(username="jdoe").exists()


def test_it_sets_name_e_mail_and_roles(administrator, agent, caplog):
    caplog.set_level(logging.INFO, logger="accounts")
    user_update(
        actor=administrator,
        user=agent,
        values={
            "first_name": "Anna",
            "last_name": "Agent",
            "email": "anna@example.org",
            "roles": [roles.SUPERVISOR],
        },
        fingerprint=user_fingerprint(agent),
    )
    agent.refresh_from_db()
    assert agent.get_full_name() == "Anna Agent"
    assert user_roles(agent) == [roles.SUPERVISOR]
    assert "admin changed user agent" in caplog.text
    assert "['Agent'] -> ['Supervisor']" in caplog.text


def test_nobody_changes_their_own_roles(administrator):
    with pytest.raises(ValidationError) as refused:
        user_update(
            actor=administrator,
            user=administrator,
            values={
                "first_name": "",
                "last_name": "",
                "email": "",
                "roles": [roles.ADMINISTRATOR, roles.SUPERVISOR],
            },
            fingerprint=user_fingerprint(administrator),
        )
    assert "roles" in refused.value.error_dict
    assert user_roles(administrator) == [roles.ADMINISTRATOR]


def test_an_administrator_may_fix_their_own_name(administrator):
    user_update(
        actor=administrator,
        user=administrator,
        values={"first_name": "Ada", "last_name": "Min", "email": "", "roles": ["Administrator"]},
        fingerprint=user_fingerprint(administrator),
    )
    administrator.refresh_from_db()
    assert administrator.get_full_name() == "Ada Min"


def test_a_change_made_meanwhile_is_not_overwritten(administrator, agent):
    opened_at = user_fingerprint(agent)
    other_admin = UserFactory(username="admin2", role=roles.ADMINISTRATOR)
    user_update(
        actor=other_admin,
        user=agent,
        values={"first_name": "Theirs", "last_name": "", "email": "", "roles": [roles.AGENT]},
        fingerprint=opened_at,
    )
    with pytest.raises(EditConflict) as conflict:
        user_update(
            actor=administrator,
            user=agent,
            values={"first_name": "Mine", "last_name": "", "email": "", "roles": [roles.MANAGER]},
            fingerprint=opened_at,
        )
    assert conflict.value.current.first_name == "Theirs"
    agent.refresh_from_db()
    assert agent.first_name == "Theirs"
    assert user_roles(agent) == [roles.AGENT]


def test_a_role_given_meanwhile_counts_as_a_change(administrator, agent):
    opened_at = user_fingerprint(agent)
    agent.groups.add(roles_group(roles.MANAGER))
    with pytest.raises(EditConflict):
        user_set_active(actor=administrator, user=agent, active=False, fingerprint=opened_at)
    agent.refresh_from_db()
    assert agent.is_active


def roles_group(name: str):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name)


def test_only_a_superuser_changes_a_superuser(administrator):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    for change in (
        lambda: user_set_active(
            actor=administrator, user=root, active=False, fingerprint=user_fingerprint(root)
        ),
        lambda: user_set_password(
            actor=administrator,
            user=root,
            password=GOOD_PASSWORD,
            fingerprint=user_fingerprint(root),
        ),
        lambda: user_update(
            actor=administrator,
            user=root,
            values={"first_name": "", "last_name": "", "email": "", "roles": [roles.AGENT]},
            fingerprint=user_fingerprint(root),
        ),
    ):
        with pytest.raises(ValidationError):
            change()
    root.refresh_from_db()
    assert root.is_active and root.check_password("demo") and not root.groups.exists()


def test_deactivating_ends_every_session_of_the_user(administrator, agent, caplog):
    caplog.set_level(logging.INFO, logger="accounts")
    log_in_elsewhere(agent)
    log_in_elsewhere(agent)
    assert sessions_of(agent) == 2
    user_set_active(
        actor=administrator, user=agent, active=False, fingerprint=user_fingerprint(agent)
    )
    agent.refresh_from_db()
    assert not agent.is_active
    assert sessions_of(agent) == 0
    assert "admin deactivated user agent (2 sessions ended)" in caplog.text


def test_nobody_deactivates_themselves(administrator):
    with pytest.raises(ValidationError) as refused:
        user_set_active(
            actor=administrator,
            user=administrator,
            active=False,
            fingerprint=user_fingerprint(administrator),
        )
    assert "is_active" in refused.value.error_dict
    administrator.refresh_from_db()
    assert administrator.is_active


def test_a_new_password_ends_every_session_of_the_user(administrator, agent, caplog):
    caplog.set_level(logging.INFO, logger="accounts")
    device = log_in_elsewhere(agent)
    user_set_password(
        actor=administrator,
        user=agent,
        password=GOOD_PASSWORD,
        fingerprint=user_fingerprint(agent),
    )
    agent.refresh_from_db()
    assert agent.check_password(GOOD_PASSWORD)
    assert sessions_of(agent) == 0
    assert device.get("/catalogue/").status_code == 302
    assert "admin reset the password of user agent (1 sessions ended)" in caplog.text


def test_a_new_password_must_pass_the_validators(administrator, agent):
    with pytest.raises(ValidationError) as refused:
        user_set_password(
            actor=administrator,
            user=agent,
            password="password123",
            fingerprint=user_fingerprint(agent),
        )
    assert "password" in refused.value.error_dict
    agent.refresh_from_db()
    assert agent.check_password("demo")


def test_administrators_do_not_reset_their_own_password_here(administrator):
    with pytest.raises(ValidationError) as refused:
        user_set_password(
            actor=administrator,
            user=administrator,
            password=GOOD_PASSWORD,
            fingerprint=user_fingerprint(administrator),
        )
    assert "password" in refused.value.error_dict
    administrator.refresh_from_db()
    assert administrator.check_password("demo")
