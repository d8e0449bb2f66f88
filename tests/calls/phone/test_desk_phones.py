"""Desk phones through the real phone system: a SIP phone registers with its user's own
username and the SIP password made for it (Kamailio asks the application for the password's
digest hash), takes a queued call with audio both ways, and calls out with the same password;
a wrong password, an unknown user, a user without a password and a deactivated one cannot
register."""

import pytest

from callcenter import roles
from calls.phone.audio import heard
from calls.services import sip_password_generate
from tests.calls.phone.test_calls import talk
from tests.calls.phone.test_queue_calls import agent_of, call_record, caller
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def desk_phone(parties, username, password, **options):
    """A SIP phone that registers as the user with a SIP password (no time-limited
    credentials)."""
    return parties(username, register=True, credentials=(username, password), **options)


def test_a_desk_phone_registers_with_its_sip_password_and_takes_a_queued_call(
    parties, city_line, local_trunk
):
    user = agent_of(city_line, "311-desk")
    password = sip_password_generate(user=user, actor=user)
    phone = desk_phone(parties, "311-desk", password, tone=440, auto_answer=True)
    phone.wait_for("registered", timeout=5)
    customer = caller(parties)

    customer.call("sip:311@127.0.0.1")

    call_id = customer.wait_for("calling")["call_id"]
    phone.wait_for("incoming", timeout=5)
    customer.wait_for("confirmed", timeout=5)
    talk(customer, phone)
    assert heard(phone.recording) == {660}
    assert heard(customer.recording) == {440}
    call = call_record(call_id)
    assert call.agent == user


def test_a_desk_phone_calls_a_colleague_with_its_sip_password(parties, city_line):
    user = user_with_role(roles.AGENT, username="desk-caller")
    password = sip_password_generate(user=user, actor=user)
    phone = desk_phone(parties, "desk-caller", password, tone=660)
    colleague = parties("colleague", register=True, tone=440, auto_answer=True)
    phone.wait_for("registered", timeout=5)
    colleague.wait_for("registered", timeout=5)

    phone.call("sip:colleague@127.0.0.1")

    colleague.wait_for("incoming", timeout=5)
    phone.wait_for("confirmed", timeout=5)
    talk(phone, colleague)
    assert heard(colleague.recording) == {660}
    assert heard(phone.recording) == {440}


def test_a_wrong_password_cannot_register_or_call(parties, city_line):
    user = user_with_role(roles.AGENT, username="desk-wrong")
    sip_password_generate(user=user, actor=user)
    colleague = parties("colleague", register=True, auto_answer=True)
    colleague.wait_for("registered", timeout=5)

    phone = desk_phone(parties, "desk-wrong", "not-the-password")

    assert phone.wait_for("registration_failed", timeout=5)["code"] == 403
    phone.call("sip:colleague@127.0.0.1")
    assert phone.wait_for("disconnected", timeout=5)["code"] == 403


def test_an_unknown_user_cannot_register(parties):
    phone = desk_phone(parties, "nobody", "whatever-it-is")

    assert phone.wait_for("registration_failed", timeout=5)["code"] == 403


def test_a_user_without_a_password_or_deactivated_cannot_register(parties, city_line):
    user_with_role(roles.AGENT, username="desk-none")
    gone = user_with_role(roles.AGENT, username="desk-gone")
    password = sip_password_generate(user=gone, actor=gone)
    gone.is_active = False
    gone.save()

    without = desk_phone(parties, "desk-none", "any-password")
    deactivated = desk_phone(parties, "desk-gone", password)

    assert without.wait_for("registration_failed", timeout=5)["code"] == 403
    assert deactivated.wait_for("registration_failed", timeout=5)["code"] == 403
