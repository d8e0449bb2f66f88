from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0007_text_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="customerrequest",
            name="discarded_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="discarded"
            ),
        ),
        migrations.AddIndex(
            model_name="customerrequest",
            index=models.Index(
                condition=models.Q(("discarded_at__isnull", False)),
                fields=["-started_at"],
                name="request_discarded_newest",
            ),
        ),
    ]
