"""Trunks, kept by administrators: where calls from outside may come in."""

import pytest
from django.urls import reverse

from calls.models import Trunk
from calls.sip import digest_ha1

pytestmark = pytest.mark.django_db

TRUNKS = reverse("calls:trunk_list")
NEW = reverse("calls:trunk_new")


def test_only_administrators_keep_trunks(client, agent, supervisor, manager, local_trunk):
    for user in (agent, supervisor, manager):
        client.force_login(user)
        assert client.get(TRUNKS).status_code == 403
        assert (
            client.post(NEW, {"name": "Sneaky", "source_addresses": "0.0.0.0/0"}).status_code == 403
        )
    assert Trunk.objects.count() == 1


def test_an_administrator_adds_a_provider_by_its_addresses(client, administrator, local_trunk):
    client.force_login(administrator)
    assert "Local test trunk" in client.get(TRUNKS).content.decode()
    response = client.post(
        NEW, {"name": "Provider", "source_addresses": "192.0.2.10\n198.51.100.0/24", "active": "on"}
    )
    assert response["Location"] == TRUNKS
    trunk = Trunk.objects.get(name="Provider")
    assert trunk.accepts("198.51.100.7") and not trunk.accepts("203.0.113.1")


def test_a_sip_password_is_kept_as_its_hash_and_never_shown(client, administrator):
    client.force_login(administrator)
    client.post(
        NEW, {"name": "Gateway", "sip_username": "gw1", "password": "s3cret-pass", "active": "on"}
    )
    trunk = Trunk.objects.get(name="Gateway")
    assert trunk.sip_password_ha1 == digest_ha1("gw1", "s3cret-pass")
    edit = reverse("calls:trunk_edit", args=[trunk.pk])
    page = client.get(edit).content.decode()
    assert "s3cret-pass" not in page and trunk.sip_password_ha1 not in page
    assert "A SIP password is set." in page
    # Saving without typing it again keeps it.
    client.post(edit, {"name": "Gateway 1", "sip_username": "gw1", "active": "on"})
    trunk.refresh_from_db()
    assert (trunk.name, trunk.sip_password_ha1) == ("Gateway 1", digest_ha1("gw1", "s3cret-pass"))


@pytest.mark.parametrize(
    "values",
    [
        {"name": "No way in"},
        {"name": "Bad", "source_addresses": "example.org"},
        {"name": "No password", "sip_username": "gw2"},
        {"name": "Local test trunk", "source_addresses": "127.0.0.1"},
        {"name": "", "source_addresses": "127.0.0.1"},
    ],
)
def test_a_trunk_without_a_way_in_or_with_a_bad_address_is_refused(
    client, administrator, local_trunk, values
):
    client.force_login(administrator)
    response = client.post(NEW, values)
    assert response.status_code == 200
    assert (
        'aria-invalid="true"' in response.content.decode() or "error" in response.content.decode()
    )
    assert Trunk.objects.count() == 1
