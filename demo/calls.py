"""The demo's phone system: the city line 311, a trunk for test calls from this machine (only
with DEBUG on), the desk's agents as members, and the pause reasons agents choose from; made by
calls.services. Running it again changes nothing."""

from django.contrib.auth.models import AbstractBaseUser

from calls.models import PauseReason, Queue, Trunk
from calls.services import pause_reason_save, queue_member_set, queue_save, trunk_save

PAUSE_REASONS = ["Break", "Lunch", "Training", "Back office", "Meeting"]


def load_demo_calls(agents: list[AbstractBaseUser]) -> str:
    made = []
    if not Trunk.objects.filter(name="Local test trunk").exists():
        trunk_save(
            values={
                "name": "Local test trunk",
                "source_addresses": "127.0.0.1",
                "debug_only": True,
            }
        )
        made.append("the trunk “Local test trunk” (127.0.0.1, only with DEBUG)")
    queue = Queue.objects.filter(number="311").first()
    if queue is None:
        queue = queue_save(
            values={
                "name": "City line",
                "number": "311",
                "consent_announcement": "This call may be recorded to help us serve you better.",
            }
        )
        made.append("the queue “City line” on 311")
        for skill, agent in enumerate(agents):
            queue_member_set(queue=queue, user=agent, skill=max(1, 4 - skill))
        made.append(f"{len(agents)} members")
    missing = [name for name in PAUSE_REASONS if not PauseReason.objects.filter(name=name).exists()]
    for name in missing:
        pause_reason_save(name=name)
    if missing:
        made.append(f"{len(missing)} pause reasons")
    return ", ".join(made)
