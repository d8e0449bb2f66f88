"""Queues and their members (supervisors), queue settings and pause reasons (administrators)."""

import pytest
from django.urls import reverse

from calls.models import PauseReason, Queue, QueueMember
from calls.services import missed_call_reason

pytestmark = pytest.mark.django_db

QUEUES = reverse("calls:queue_list")
REASONS = reverse("calls:pause_reason_list")


def detail(queue) -> str:
    return reverse("calls:queue_detail", args=[queue.pk])


def test_supervisors_and_administrators_see_the_queues(
    client, supervisor, administrator, city_line
):
    for user in (supervisor, administrator):
        client.force_login(user)
        page = client.get(QUEUES).content.decode()
        assert "City line" in page and "311" in page
        assert client.get(detail(city_line)).status_code == 200


def test_agents_and_managers_do_not(client, agent, manager, outsider, city_line):
    for user in (agent, manager, outsider):
        client.force_login(user)
        assert client.get(QUEUES).status_code == 403
        assert client.get(detail(city_line)).status_code == 403
        assert client.get(REASONS).status_code == 403


def test_a_supervisor_puts_an_agent_in_a_queue_changes_the_skill_and_takes_them_out(
    client, supervisor, agent, city_line
):
    client.force_login(supervisor)
    response = client.post(
        detail(city_line), {"action": "member", "username": "agent", "skill": "4"}
    )
    assert response.status_code == 302
    assert QueueMember.objects.get(queue=city_line, user=agent).skill == 4
    client.post(detail(city_line), {"action": "member", "username": "agent", "skill": "2"})
    assert QueueMember.objects.get(queue=city_line, user=agent).skill == 2
    assert "agent" in client.get(detail(city_line)).content.decode()
    client.post(detail(city_line), {"action": "remove", "user": str(agent.pk)})
    assert not QueueMember.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"username": "nobody", "skill": "3"},
        {"username": "manager", "skill": "3"},
        {"username": "agent", "skill": "6"},
        {"username": "agent", "skill": "x"},
        {"username": "", "skill": "3"},
    ],
)
def test_what_is_no_member_is_refused_with_the_field_named(
    client, supervisor, agent, manager, city_line, data
):
    client.force_login(supervisor)
    response = client.post(detail(city_line), {"action": "member", **data})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not QueueMember.objects.exists()


def test_a_supervisor_cannot_change_the_settings_nor_an_administrator_the_members(
    client, supervisor, administrator, agent, city_line
):
    client.force_login(supervisor)
    response = client.post(detail(city_line), {"action": "settings", "name": "Renamed"})
    assert response.status_code == 403
    client.force_login(administrator)
    response = client.post(detail(city_line), {"action": "member", "username": "agent"})
    assert response.status_code == 403
    assert Queue.objects.get().name == "City line"
    assert not QueueMember.objects.exists()


def test_an_administrator_creates_a_queue_and_changes_its_times(client, administrator, city_line):
    client.force_login(administrator)
    values = {
        "name": "Water",
        "number": "312",
        "ring_seconds": "15",
        "wrap_up_seconds": "45",
        "max_wait_seconds": "600",
        "record": "on",
        "consent_announcement": "Calls are recorded.",
        "fallback": str(city_line.pk),
    }
    response = client.post(reverse("calls:queue_new"), values)
    water = Queue.objects.get(number="312")
    assert response["Location"] == detail(water)
    assert (water.ring_seconds, water.wrap_up_seconds, water.fallback) == (15, 45, city_line)
    response = client.post(detail(water), {"action": "settings", **values, "ring_seconds": "25"})
    assert response.status_code == 302
    water.refresh_from_db()
    assert water.ring_seconds == 25


def test_queue_settings_out_of_range_or_taken_are_refused(client, administrator, city_line):
    client.force_login(administrator)
    values = {"name": "City line", "number": "311", "max_wait_seconds": "300"}
    for wrong in [
        {"ring_seconds": "1", "wrap_up_seconds": "30"},
        {"ring_seconds": "20", "wrap_up_seconds": "-1"},
        {"ring_seconds": "20", "wrap_up_seconds": "30", "number": "3 11"},
        {"ring_seconds": "20", "wrap_up_seconds": "30", "fallback": str(city_line.pk)},
    ]:
        response = client.post(detail(city_line), {"action": "settings", **values, **wrong})
        assert response.status_code == 200
    other = Queue.objects.create(name="Other", number="999")
    response = client.post(
        detail(other),
        {"action": "settings", **values, "ring_seconds": "20", "wrap_up_seconds": "30"},
    )
    assert response.status_code == 200
    assert Queue.objects.get(pk=other.pk).number == "999"
    assert Queue.objects.get(pk=city_line.pk).ring_seconds == 20


def test_an_administrator_adds_retires_and_restores_pause_reasons(client, administrator):
    missed = missed_call_reason()
    client.force_login(administrator)
    client.post(REASONS, {"action": "add", "name": "Training"})
    training = PauseReason.objects.get(name="Training")
    page = client.get(REASONS).content.decode()
    assert "Training" in page and "Missed call" not in page
    client.post(REASONS, {"action": "retire", "reason": str(training.pk)})
    assert not PauseReason.objects.get(pk=training.pk).active
    client.post(REASONS, {"action": "restore", "reason": str(training.pk)})
    assert PauseReason.objects.get(pk=training.pk).active
    response = client.post(REASONS, {"action": "add", "name": "Training"})
    assert response.status_code == 200
    assert PauseReason.objects.filter(name="Training").count() == 1
    assert client.post(REASONS, {"action": "retire", "reason": str(missed.pk)}).status_code == 404
