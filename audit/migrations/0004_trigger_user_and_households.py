from django.db import migrations, models


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The resident's report looks inside the household lists of list reads.
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS audit_huishouden_ids_gin ON audit_auditrecord "
            "USING gin (huishouden_ids jsonb_path_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_huishouden_ids_gin")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_keyed_seals'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditrecord',
            name='huishouden_ids',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='auditrecord',
            name='trigger_user_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditrecord',
            name='trigger_username',
            field=models.CharField(blank=True, default='', max_length=150),
        ),
        migrations.RunPython(add_index, drop_index),
    ]
