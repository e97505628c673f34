from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _reinstall_sqlite_triggers(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # SQLite loses a table's triggers when Django rebuilds the table (ALTER).
    from django.db import connections

    from audit.db import install_triggers

    connection = connections[using]
    if connection.vendor == "sqlite":
        install_triggers(connection)


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from audit import alerts, anchors, sealing, shred_ledger
        from audit.db import register_sqlite_function
        from toegang import worker

        connection_created.connect(register_sqlite_function, dispatch_uid="audit_sqlite_fn")
        post_migrate.connect(_reinstall_sqlite_triggers, sender=self, dispatch_uid="audit_trg")
        worker.register("audit_sealer", sealing.seal_pending, interval=2.0)
        interval = float(getattr(settings, "AUDIT_ANCHOR_INTERVAL", 300.0))
        worker.register("audit_anchor", anchors.publish_job, interval=interval)
        worker.register("shred_ledger_mirror", shred_ledger.mirror_job, interval=interval)
        alerts_interval = float(settings.AUDIT_ALERTS_INTERVAL)
        worker.register("audit_alerts", alerts.store_job, interval=alerts_interval)
