import pytest
from django.urls import reverse

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
    assert "(Administrator)" in admin_page


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
