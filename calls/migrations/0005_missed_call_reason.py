from django.db import migrations


def make_missed_call_reason(apps, schema_editor):
    from calls.services import missed_call_reason

    missed_call_reason(apps.get_model("calls", "PauseReason"))


class Migration(migrations.Migration):
    """The "Missed call" pause reason exists before any call locks an agent's row."""

    dependencies = [("calls", "0004_queue_recording_days")]

    operations = [migrations.RunPython(make_missed_call_reason, migrations.RunPython.noop)]
