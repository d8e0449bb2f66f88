"""Desk phones' SIP passwords: an agent makes their own, an administrator anyone's who takes
calls; the password is shown once and kept only as its digest hash, which Kamailio asks for
with the shared secret."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from calls.models import SipPassword
from calls.sip import desk_phone_ha1, digest_ha1
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OWN = reverse("calls:desk_phone")
ASK = reverse("calls:phone_sip_password")
SECRET = {"HTTP_X_PHONE_SECRET": "test-phone-secret"}


def of(user):
    return reverse("calls:desk_phone_of", args=[user.pk])


def shown_password(response) -> str:
    found = re.search(
        r'id="new-sip-password" type="text" value="([^"]+)"', response.content.decode()
    )
    assert found, response.content.decode()
    return found.group(1)


def test_an_agent_generates_their_sip_password_and_sees_it_once(client, agent, settings):
    settings.SIP_DOMAIN = "calls.example.org"
    client.force_login(agent)
    page = client.get(OWN).content.decode()
    assert "No SIP password yet" in page
    assert f"<code>{agent.username}</code>" in page and "calls.example.org" in page

    response = client.post(OWN, {"action": "generate"})

    password = shown_password(response)
    assert response["Cache-Control"] == "no-store"
    assert '<label for="new-sip-password">' in response.content.decode()
    saved = SipPassword.objects.get(user=agent)
    assert saved.ha1 == digest_ha1(agent.username, password)
    assert (saved.username, saved.realm, saved.set_by) == (
        agent.username,
        "calls.example.org",
        agent,
    )
    again = client.get(OWN).content.decode()
    assert password not in again and saved.ha1 not in again
    assert "Set on" in again


def test_a_new_password_replaces_the_one_before(client, agent):
    client.force_login(agent)
    first = shown_password(client.post(OWN, {"action": "generate"}))
    second = shown_password(client.post(OWN, {"action": "generate"}))
    assert first != second
    assert SipPassword.objects.get(user=agent).ha1 == digest_ha1(agent.username, second)


def test_the_htmx_answer_is_the_password_card_alone(client, agent):
    client.force_login(agent)
    response = client.post(OWN, {"action": "generate"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content and 'id="sip-password"' in content
    assert shown_password(response)


def test_removing_the_password_leaves_no_way_to_register(client, agent):
    client.force_login(agent)
    client.post(OWN, {"action": "generate"})
    response = client.post(OWN, {"action": "remove"})
    assert "The SIP password was removed" in response.content.decode()
    assert not SipPassword.objects.filter(user=agent).exists()


def test_an_unknown_action_is_refused_with_a_message(client, agent):
    client.force_login(agent)
    response = client.post(OWN, {"action": "steal"})
    assert response.status_code == 200
    assert "Choose “Generate a new SIP password”" in response.content.decode()
    assert not SipPassword.objects.exists()


def test_an_administrator_makes_one_for_an_agent(client, administrator, agent):
    client.force_login(administrator)
    assert (
        f'href="{of(agent)}"'
        in client.get(reverse("accounts:user_detail", args=[agent.pk])).content.decode()
    )
    password = shown_password(client.post(of(agent), {"action": "generate"}))
    saved = SipPassword.objects.get(user=agent)
    assert saved.ha1 == digest_ha1(agent.username, password)
    assert saved.set_by == administrator


def test_others_cannot_see_or_set_anyones_password(client, agent, supervisor, manager, outsider):
    colleague = UserFactory(username="colleague")
    for user in (agent, supervisor, manager, outsider):
        client.force_login(user)
        assert client.get(of(colleague)).status_code == 403
        assert (
            client.post(
                of(agent if user != agent else supervisor), {"action": "generate"}
            ).status_code
            == 403
        )
    # Who takes no calls has no desk phone of their own.
    for user in (manager, outsider):
        client.force_login(user)
        assert client.get(OWN).status_code == 403
    assert not SipPassword.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, agent):
    response = client.get(OWN)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.post(of(agent), {"action": "generate"}).status_code == 302
    assert not SipPassword.objects.exists()


def test_no_password_for_who_takes_no_calls_or_is_deactivated(
    client, administrator, manager, agent
):
    client.force_login(administrator)
    page = client.post(of(manager), {"action": "generate"}).content.decode()
    assert "does not take calls" in page
    agent.is_active = False
    agent.save()
    page = client.post(of(agent), {"action": "generate"}).content.decode()
    assert "is deactivated" in page
    assert not SipPassword.objects.exists()


def test_a_changed_sip_domain_asks_for_a_new_password(client, agent, settings):
    settings.SIP_DOMAIN = "old.example.org"
    client.force_login(agent)
    password = shown_password(client.post(OWN, {"action": "generate"}))
    assert desk_phone_ha1(agent.username, "old.example.org") == digest_ha1(agent.username, password)

    settings.SIP_DOMAIN = "new.example.org"

    page = client.get(OWN).content.decode()
    assert "made for the SIP domain old.example.org" in page
    assert "now new.example.org" in page
    assert desk_phone_ha1(agent.username, "new.example.org") is None


@override_settings(PHONE_SECRET="test-phone-secret")
def test_kamailio_gets_the_hash_with_the_secret_only(client, agent, settings):
    settings.SIP_DOMAIN = "127.0.0.1"
    client.force_login(agent)
    password = shown_password(client.post(OWN, {"action": "generate"}))
    client.logout()
    question = {"username": agent.username, "realm": "127.0.0.1"}

    assert client.get(ASK, question).status_code == 403
    assert client.get(ASK, question, HTTP_X_PHONE_SECRET="wrong").status_code == 403
    answer = client.get(ASK, question, **SECRET)

    assert answer.status_code == 200
    assert answer.json() == {"ha1": digest_ha1(agent.username, password)}
    assert answer["Cache-Control"] == "no-store"


@override_settings(PHONE_SECRET="test-phone-secret")
def test_kamailio_gets_no_hash_for_who_may_not_register(client, agent, supervisor, settings):
    settings.SIP_DOMAIN = "127.0.0.1"
    client.force_login(agent)
    client.post(OWN, {"action": "generate"})
    client.force_login(supervisor)
    client.post(OWN, {"action": "generate"})

    def asked(username, realm="127.0.0.1"):
        return client.get(ASK, {"username": username, "realm": realm}, **SECRET).status_code

    assert asked("nobody") == 404
    assert asked(agent.username, realm="elsewhere.example") == 404
    supervisor.is_active = False
    supervisor.save()
    assert asked(supervisor.username) == 404
    agent.groups.clear()
    assert asked(agent.username) == 404
    assert asked("") == 400
    assert client.get(ASK, {"username": "a\x00b", "realm": "x"}, **SECRET).status_code == 400


@override_settings(PHONE_SECRET="test-phone-secret")
def test_a_renamed_user_needs_a_new_password(client, agent, settings):
    settings.SIP_DOMAIN = "127.0.0.1"
    client.force_login(agent)
    client.post(OWN, {"action": "generate"})
    old_name = agent.username
    agent.username = "renamed"
    agent.save()

    assert (
        client.get(ASK, {"username": old_name, "realm": "127.0.0.1"}, **SECRET).status_code == 404
    )
    assert (
        client.get(ASK, {"username": "renamed", "realm": "127.0.0.1"}, **SECRET).status_code == 404
    )
    assert f"made for the user name {old_name}" in client.get(OWN).content.decode()
