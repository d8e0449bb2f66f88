import pytest
from django.core.exceptions import ValidationError

from callcenter import roles
from calls.models import Callback, CallbackStatus
from calls.services import callback_create, callback_done
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_a_callback_is_open_until_someone_calls_back(city_line, agent, phone_clock):
    callback = callback_create(queue=city_line, number=" +4930123456 ")
    assert (callback.number, callback.called_at, callback.status) == (
        "+4930123456",
        phone_clock.now,
        CallbackStatus.OPEN,
    )
    assert list(Callback.objects.open()) == [callback]
    phone_clock.tick(600)
    callback_done(callback=callback, user=agent, note="Told her the pickup date.")
    callback.refresh_from_db()
    assert (callback.status, callback.done_by, callback.done_at, callback.note) == (
        CallbackStatus.DONE,
        agent,
        phone_clock.now,
        "Told her the pickup date.",
    )
    assert not Callback.objects.open().exists()


def test_a_callback_is_done_once(city_line, agent, phone_clock):
    callback = callback_create(queue=city_line, number="+4930123456")
    callback_done(callback=callback, user=agent)
    colleague = user_with_role(roles.AGENT, username="colleague")
    with pytest.raises(ValidationError, match="already called back"):
        callback_done(callback=callback, user=colleague, note="Me too")
    callback.refresh_from_db()
    assert (callback.done_by, callback.note) == (agent, "")


def test_a_callback_needs_a_number(city_line, phone_clock):
    with pytest.raises(ValidationError):
        callback_create(queue=city_line, number="  ")
    assert not Callback.objects.exists()
