"""A desk phone while Kamailio cannot reach the application: it cannot tell whether the password
is right, so the phone is told to try again later (503), not that its password is wrong (403)."""

import pytest

from tests.calls.phone.harness import free_port
from tests.calls.phone.test_desk_phones import desk_phone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kamailio_asks():
    """An address where no application answers."""
    return f"http://127.0.0.1:{free_port(set())}"


def test_a_desk_phone_is_told_to_try_again_later(parties):
    phone = desk_phone(parties, "desk-later", "some-password")

    assert phone.wait_for("registration_failed", timeout=10)["code"] == 503
