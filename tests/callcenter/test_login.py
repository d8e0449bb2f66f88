from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_login_page_shows_its_labels(client):
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">Username</label>' in content
    assert '<label for="id_password">Password</label>' in content
    assert ">Log in</button>" in content


def test_it_logs_in_and_goes_to_the_page_asked_for(client, agent):
    response = client.post(
        reverse("login"), {"username": "agent", "password": "demo", "next": "/catalogue/codes/"}
    )
    assert response.status_code == 302
    assert response.url == "/catalogue/codes/"


def test_it_says_plainly_when_the_password_is_wrong(client, agent):
    response = client.post(reverse("login"), {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logging_out_needs_a_post_and_ends_the_session(client, agent):
    client.force_login(agent)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert client.get(reverse("hierarchy:tree")).status_code == 302


def test_every_page_needs_a_login(client):
    for url in ["/", "/catalogue/", "/catalogue/lookup/", "/catalogue/import/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response.url, url


def test_the_navigation_shows_each_role_what_it_may_use(client, agent, administrator):
    client.force_login(agent)
    agent_page = client.get(reverse("hierarchy:tree")).content.decode()
    client.force_login(administrator)
    admin_page = client.get(reverse("hierarchy:tree")).content.decode()
    assert "Problem code lookup" in agent_page
    assert "Import and export" not in agent_page
    assert "Import and export" in admin_page
    assert "Standard work orders" in admin_page
    assert '<p class="menu-note">Administrator</p>' in admin_page


def test_a_user_in_no_role_sees_no_catalogue(client):
    user = UserFactory(username="nobody")
    client.force_login(user)
    assert client.get(reverse("hierarchy:tree")).status_code == 403


def test_the_language_switcher_works_before_login(client):
    response = client.post(reverse("set_language"), {"language": "de", "next": "/login/"})
    assert response.status_code == 302
    page = client.get(reverse("login"))
    assert page.content.decode().count('lang="de"') >= 1
    assert "Benutzername" in page.content.decode()


# Password guessing (django-axes) ---------------------------------------------------------------


def fail_logins(client, username: str, times: int, address: str = "192.0.2.1"):
    response = None
    for _ in range(times):
        response = client.post(
            reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=address
        )
    return response


def test_the_fifth_failure_locks_the_account_with_a_clear_message(client, agent, caplog):
    assert fail_logins(client, "agent", 4).status_code == 200
    response = fail_logins(client, "agent", 1)
    content = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed logins" in content
    assert "locked for 15 minutes" in content
    assert '<label for="id_username">Username</label>' in content  # the login page, in the layout
    assert "Login locked after 5 failed attempts: username 'agent', address 192.0.2.1" in (
        caplog.text
    )


def test_a_locked_account_refuses_even_the_right_password(client, agent):
    fail_logins(client, "agent", 5)
    response = client.post(
        reverse("login"), {"username": "agent", "password": "demo"}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_username_is_locked_from_every_address(client, agent):
    for number in range(5):
        fail_logins(client, "agent", 1, address=f"192.0.2.{number + 10}")
    response = client.post(
        reverse("login"), {"username": "agent", "password": "demo"}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_address_is_locked_for_every_username(client, agent, supervisor):
    for name in ["alice", "bob", "carol", "dave", "erin"]:
        fail_logins(client, name, 1)
    response = client.post(
        reverse("login"), {"username": "supervisor", "password": "demo"}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address still logs in.
    response = client.post(
        reverse("login"), {"username": "supervisor", "password": "demo"}, REMOTE_ADDR="192.0.2.99"
    )
    assert response.status_code == 302


def test_a_lock_ends_after_the_cool_off(client, agent):
    from axes.models import AccessAttempt

    fail_logins(client, "agent", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = client.post(
        reverse("login"), {"username": "agent", "password": "demo"}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 302


def test_the_admin_login_is_locked_as_well(client, agent):
    for _ in range(5):
        client.post("/admin/login/", {"username": "agent", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "agent", "password": "demo"})
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "127.0.0.1"),  # no proxy: the header is the client's to invent
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "10.9.9.9, 203.0.113.5", "203.0.113.5"),  # what the client put before is ignored
        (2, "203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, "not-an-address", None),
        (2, "203.0.113.5", "127.0.0.1"),  # fewer entries than proxies: the connection's
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies_only(
    rf, settings, proxies, forwarded, expected
):
    from accounts.login import client_address

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.post("/login/", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_login_with_a_nul_byte_is_refused_without_error(client, agent):
    response = client.post(reverse("login"), {"username": "agent\x00", "password": "x\x00"})
    assert response.status_code == 200


def test_the_failure_limit_and_lock_time_come_from_the_environment():
    from tests.callcenter.test_security import run_manage

    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds())",
        env={"DEBUG": "true", "LOGIN_FAILURE_LIMIT": "3", "LOGIN_LOCK_MINUTES": "30"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "3 1800.0"


# Passwords -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Xq7#pLm2", "at least 10 characters"),
        ("password1234", "too common"),
        ("1234567890123", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(agent, password, message):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password(password, agent)
    assert message in " ".join(refused.value.messages)


def test_a_long_uncommon_password_is_accepted(agent):
    from django.contrib.auth.password_validation import validate_password

    validate_password("cobalt-harbour-lantern-42", agent)
