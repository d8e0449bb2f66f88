from django.db import migrations

from callcenter.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0001_roles"),
        ("requests_app", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
