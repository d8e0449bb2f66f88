import pytest
from django.core.exceptions import ValidationError

from calls.models import QueueMember, Trunk
from calls.services import (
    pause_reason_save,
    queue_member_remove,
    queue_member_set,
    queue_save,
    trunk_save,
)
from calls.sip import digest_ha1

pytestmark = pytest.mark.django_db


def test_a_trunk_keeps_only_the_hash_of_its_sip_password(settings):
    trunk = trunk_save(values={"name": "Provider", "sip_username": "gw1"}, password="s3cret")
    trunk.refresh_from_db()
    assert trunk.sip_password_ha1 == digest_ha1("gw1", "s3cret")
    assert "s3cret" not in str(Trunk.objects.values().get())
    trunk = trunk_save(trunk=trunk, values={"sip_username": ""})
    assert trunk.sip_password_ha1 == ""


def test_a_trunk_refuses_what_is_no_address():
    with pytest.raises(ValidationError) as error:
        trunk_save(values={"name": "Bad", "source_addresses": "127.0.0.1\nexample.org"})
    assert "source_addresses" in error.value.error_dict
    assert not Trunk.objects.exists()


def test_queue_numbers_are_unique_and_dialable(city_line):
    with pytest.raises(ValidationError):
        queue_save(values={"name": "Other", "number": "311"})
    with pytest.raises(ValidationError):
        queue_save(values={"name": "Spaces", "number": "3 11"})
    with pytest.raises(ValidationError):
        queue_save(queue=city_line, values={"fallback": city_line})


def test_a_supervisor_moves_an_agent_between_queues_with_a_skill(city_line, agent):
    water = queue_save(values={"name": "Water", "number": "312"})
    queue_member_set(queue=city_line, user=agent, skill=2)
    queue_member_set(queue=city_line, user=agent, skill=4)
    assert QueueMember.objects.get(queue=city_line, user=agent).skill == 4
    with pytest.raises(ValidationError):
        queue_member_set(queue=water, user=agent, skill=6)
    queue_member_remove(queue=city_line, user=agent)
    queue_member_set(queue=water, user=agent, skill=1)
    assert list(QueueMember.objects.values_list("queue__name", flat=True)) == ["Water"]


def test_pause_reasons_have_unique_names():
    pause_reason_save(name="Lunch")
    with pytest.raises(ValidationError):
        pause_reason_save(name=" Lunch ")
