from django.db import migrations

from callcenter.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0005_roles_for_work_orders"),
        ("reports", "0001_access"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
