"""The demo's phone system (demo/calls.py, loaded by `manage.py load_demo_data`)."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from calls.models import PauseReason, Queue, QueueMember, Trunk
from calls.services import agent_state_set, call_route
from demo.management.commands import load_demo_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_demo(monkeypatch, settings):
    settings.DEBUG = True
    monkeypatch.setattr(load_demo_data, "DEMO_CUSTOMERS", 5)
    monkeypatch.setattr(load_demo_data, "DEMO_REQUESTS", 10)


def test_the_demo_has_the_city_line_a_local_trunk_members_and_pause_reasons(small_demo, capsys):
    call_command("load_demo_data")
    assert "Phone system: the trunk “Local test trunk”" in capsys.readouterr().out
    queue = Queue.objects.get(number="311")
    assert queue.name == "City line"
    assert queue.record
    members = QueueMember.objects.filter(queue=queue).order_by("-skill")
    assert [member.user.username for member in members] == ["agent", "supervisor"]
    trunk = Trunk.objects.get()
    assert (trunk.name, trunk.debug_only, trunk.source_addresses) == (
        "Local test trunk",
        True,
        "127.0.0.1",
    )
    assert {"Break", "Lunch", "Training", "Back office"} <= set(
        PauseReason.objects.values_list("name", flat=True)
    )
    # A newcomer clicks Available and the README's test call rings them, once the caller has
    # heard that the call is recorded.
    agent_state_set(user=members[0].user, state="available")
    question = {
        "call_id": "demo",
        "from_number": "+4930123456",
        "to_number": "311",
        "source": "127.0.0.1",
    }
    with override_settings(DEBUG=True):
        first = call_route(**question, attempt=1)
        then = call_route(**question, attempt=2, announced=True)
    assert first["action"] == "wait"
    assert first["announcement"] == queue.consent_announcement
    assert then["user"] == "agent"


def test_loading_the_demo_again_changes_nothing(small_demo, capsys):
    call_command("load_demo_data")
    before = list(QueueMember.objects.values_list("pk", "skill")), PauseReason.objects.count()
    call_command("load_demo_data")
    assert "Phone system: left as it is" in capsys.readouterr().out
    after = list(QueueMember.objects.values_list("pk", "skill")), PauseReason.objects.count()
    assert before == after
    assert Trunk.objects.count() == Queue.objects.count() == 1
