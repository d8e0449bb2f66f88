import pytest
from django.test import override_settings

from calls.models import Call, Trunk

pytestmark = pytest.mark.django_db


def test_a_trunk_accepts_its_addresses_and_networks_only():
    trunk = Trunk(name="Provider", source_addresses="192.0.2.10\n198.51.100.0/24\nnonsense")
    assert trunk.accepts("192.0.2.10")
    assert trunk.accepts("198.51.100.77")
    assert not trunk.accepts("192.0.2.11")
    assert not trunk.accepts("not an address")
    assert not trunk.accepts("")


def test_an_inactive_trunk_accepts_nothing():
    assert not Trunk(name="Old", source_addresses="127.0.0.1", active=False).accepts("127.0.0.1")


def test_a_development_trunk_accepts_calls_only_with_debug():
    trunk = Trunk(name="Local", source_addresses="127.0.0.1", debug_only=True)
    with override_settings(DEBUG=True):
        assert trunk.accepts("127.0.0.1")
    with override_settings(DEBUG=False):
        assert not trunk.accepts("127.0.0.1")


def test_a_calls_seconds_come_from_its_times(phone_clock):
    start = phone_clock.now
    call = Call(
        offered_at=start,
        rang_at=phone_clock.tick(10),
        answered_at=phone_clock.tick(5),
        ended_at=phone_clock.tick(100),
        hold_seconds=30,
    )
    assert (call.wait_seconds, call.ring_seconds, call.talk_seconds) == (15, 5, 70)
    unanswered = Call(offered_at=start, ended_at=start)
    assert unanswered.talk_seconds is None
    assert unanswered.wait_seconds == 0
