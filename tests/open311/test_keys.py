"""The administrators' page of Open311 API keys, and manage.py open311_key."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from open311.models import ApiKey
from open311.services import api_key_create, api_key_for, key_digest

pytestmark = pytest.mark.django_db

KEYS = reverse("open311:key_list")


def shown_key(html: str) -> str:
    return re.search(r'id="new-key" type="text" value="([^"]+)"', html).group(1)


def test_an_administrator_sees_the_keys_with_labels_and_how_each_starts(client, administrator):
    api_key_create(name="FixMyStreet", user=administrator)
    client.force_login(administrator)
    response = client.get(KEYS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "FixMyStreet" in html
    assert '<label for="id_name">Name</label>' in html
    assert ApiKey.objects.get().prefix in html
    assert 'id="new-key"' not in html


def test_a_created_key_is_shown_once_and_kept_only_as_a_digest(client, administrator):
    client.force_login(administrator)
    response = client.post(KEYS, {"name": "  SeeClickFix  "}, follow=True)
    assert response.redirect_chain == [(KEYS, 302)]
    assert "no-store" in response["Cache-Control"]
    key = shown_key(response.content.decode())
    stored = ApiKey.objects.get()
    assert stored.name == "SeeClickFix"
    assert stored.created_by == administrator
    assert stored.digest == key_digest(key)
    assert key not in str(ApiKey.objects.values().get())
    assert api_key_for(key) == stored
    assert 'id="new-key"' not in client.get(KEYS).content.decode()
    assert key not in str(client.session.items())


def test_a_key_needs_a_name(client, administrator):
    client.force_login(administrator)
    response = client.post(KEYS, {"name": " "})
    assert "This field is required." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_revoked_key_no_longer_posts(client, administrator):
    api_key, key = api_key_create(name="Old app", user=None)
    client.force_login(administrator)
    response = client.post(reverse("open311:key_revoke", args=[api_key.pk]))
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_by == administrator
    assert api_key_for(key) is None
    html = client.get(KEYS).content.decode()
    assert "Revoked" in html
    assert "The key “Old app” is revoked." in html


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager", "outsider"])
def test_only_administrators_manage_keys(client, request, role):
    api_key, key = api_key_create(name="App", user=None)
    client.force_login(request.getfixturevalue(role))
    assert client.get(KEYS).status_code == 403
    assert client.post(KEYS, {"name": "Mine"}).status_code == 403
    assert client.post(reverse("open311:key_revoke", args=[api_key.pk])).status_code == 403
    assert ApiKey.objects.count() == 1
    assert api_key_for(key) == api_key


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(KEYS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_revoking_an_unknown_key_is_404(client, administrator):
    client.force_login(administrator)
    assert client.post(reverse("open311:key_revoke", args=[999])).status_code == 404


def test_the_command_creates_lists_and_revokes_keys():
    out = StringIO()
    call_command("open311_key", "create", "Script", stdout=out)
    key = out.getvalue().strip()
    api_key = api_key_for(key)
    assert api_key.name == "Script"
    out = StringIO()
    call_command("open311_key", "list", stdout=out)
    assert f"{api_key.pk}\t{api_key.prefix}…\tusable\tScript" in out.getvalue()
    call_command("open311_key", "revoke", str(api_key.pk), stdout=StringIO())
    assert api_key_for(key) is None
    with pytest.raises(CommandError, match="No key has the id"):
        call_command("open311_key", "revoke", "x1", stdout=StringIO())


def test_a_name_with_control_characters_is_refused_and_shown_again(client, administrator):
    client.force_login(administrator)
    response = client.post(KEYS, {"name": "a\x01b"})
    html = response.content.decode()
    assert "Use letters, digits, spaces and punctuation only." in html
    assert 'value="a\x01b"' in html
    assert not ApiKey.objects.exists()
