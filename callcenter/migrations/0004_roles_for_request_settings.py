from django.db import migrations

from callcenter.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0003_roles_for_knowledgebase"),
        ("requests_app", "0004_knowledge_use"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
