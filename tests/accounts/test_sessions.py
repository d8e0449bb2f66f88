from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import REFRESHED_AT
from accounts.models import Session
from tests.callcenter.test_security import run_manage

pytestmark = pytest.mark.django_db

PAGE = "/catalogue/"


def signed_in(user) -> Client:
    """One more browser (device) with `user` logged in."""
    client = Client()
    client.force_login(user)
    return client


def test_a_session_row_knows_its_user(client, agent, supervisor):
    client.force_login(agent)
    signed_in(supervisor)
    assert Session.objects.filter(user=agent).count() == 1
    assert Session.objects.filter(user=supervisor).count() == 1


def test_logging_out_ends_the_users_sessions_on_every_device(client, agent, supervisor):
    client.force_login(agent)
    laptop = signed_in(agent)
    colleague = signed_in(supervisor)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert not Session.objects.filter(user=agent).exists()
    assert laptop.get(PAGE).status_code == 302
    assert colleague.get(PAGE).status_code == 200


def test_a_session_ends_after_the_idle_time(client, agent):
    client.force_login(agent)
    assert client.get(PAGE).status_code == 200
    # As if the idle time had passed since the last request.
    Session.objects.filter(user=agent).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(PAGE)
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_the_idle_time_defaults_to_eight_hours():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60


def test_the_idle_time_comes_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)",
        env={"DEBUG": "true", "SESSION_IDLE_MINUTES": "30"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1800"


def test_a_request_moves_the_sessions_end_forward(client, agent):
    client.force_login(agent)
    session = Session.objects.get(user=agent)
    store = session.get_session_store_class()(session.session_key)
    # Last moved ten minutes ago, and due to end sooner than a full idle time from now.
    store[REFRESHED_AT] = int(timezone.now().timestamp()) - 600
    store.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(hours=1))
    before = Session.objects.get(session_key=session.session_key).expire_date

    response = client.get(PAGE)

    assert response.status_code == 200
    after = Session.objects.get(session_key=session.session_key).expire_date
    assert after > before
    assert after > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # The browser's cookie lasts as long.
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_requests_in_quick_succession_do_not_write_the_session(client, agent):
    client.force_login(agent)
    key = Session.objects.get(user=agent).session_key
    written = Session.objects.get(session_key=key).expire_date

    for _ in range(3):  # the login has just set the end: none of these writes
        response = client.get(PAGE)
        assert settings.SESSION_COOKIE_NAME not in response.cookies

    assert Session.objects.get(session_key=key).expire_date == written


def test_a_signed_out_visitor_gets_no_session_row(client):
    client.get(reverse("login"))
    assert not Session.objects.exists()


def test_expired_sessions_are_cleared_by_the_usual_command(agent):
    stale = signed_in(agent)
    Session.objects.update(expire_date=timezone.now() - timedelta(days=1))
    call_command("clearsessions")
    assert not Session.objects.exists()
    assert stale.get(PAGE).status_code == 302


def test_the_requests_right_after_a_login_do_not_write_the_session(client, agent):
    client.post(reverse("login"), {"username": "agent", "password": "demo"})
    written = Session.objects.get(user=agent).expire_date
    response = client.get(PAGE)
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.get(user=agent).expire_date == written
