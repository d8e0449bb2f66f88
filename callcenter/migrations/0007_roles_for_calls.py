from django.db import migrations

from callcenter.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0006_roles_for_reports"),
        ("calls", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
