from django.db import migrations

from callcenter.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0002_roles_for_requests"),
        ("knowledgebase", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
