from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_seals_reviews_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditseal",
            name="sleutelversie",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
    ]
