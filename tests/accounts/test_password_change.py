import logging

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Session

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "cobalt-harbour-lantern-42"
URL = reverse("password_change")


def test_the_top_bar_links_to_the_password_change(client, agent):
    client.force_login(agent)
    content = client.get(reverse("hierarchy:tree")).content.decode()
    assert f'href="{URL}">Change password</a>' in content


def test_the_password_change_page_is_in_the_layout(client, agent):
    client.force_login(agent)
    content = client.get(URL).content.decode()
    assert 'class="topbar"' in content
    assert '<label for="id_old_password">Old password</label>' in content
    assert '<label for="id_new_password1">New password</label>' in content


def test_a_user_changes_their_password_and_stays_logged_in_here_only(client, agent, caplog):
    caplog.set_level(logging.INFO, logger="accounts")
    client.force_login(agent)
    phone = Client()
    phone.force_login(agent)

    response = client.post(
        URL,
        {"old_password": "demo", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    agent.refresh_from_db()
    assert agent.check_password(NEW_PASSWORD)
    assert Session.objects.filter(user=agent).count() == 1
    assert "Password changed" in client.get(response.url).content.decode()
    assert client.get("/catalogue/").status_code == 200
    assert phone.get("/catalogue/").status_code == 302
    assert "agent changed their own password (1 other sessions ended)" in caplog.text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"old_password": "wrong"}, "Your old password was entered incorrectly"),
        ({"new_password1": "short", "new_password2": "short"}, "at least 10 characters"),
        ({"new_password1": "qwertyuiop", "new_password2": "qwertyuiop"}, "too common"),
        ({"new_password2": "something-else-1234"}, "didn’t match"),
    ],
)
def test_a_bad_new_password_is_refused(client, agent, values, message):
    client.force_login(agent)
    data = {"old_password": "demo", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = client.post(URL, {**data, **values})
    assert response.status_code == 200
    assert message in response.content.decode()
    agent.refresh_from_db()
    assert agent.check_password("demo")


def test_the_password_change_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response.url
