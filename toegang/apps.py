from django.apps import AppConfig


class ToegangConfig(AppConfig):
    name = "toegang"
    verbose_name = "Brede Toegang"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from toegang import asyncio_compat, checks, revocation  # noqa: F401  (checks: registers)
        from toegang.permissions_sync import sync_beheerder_permissions

        post_migrate.connect(sync_beheerder_permissions, dispatch_uid="sync_beheerder_permissions")
        revocation.connect()  # deactivation, role/team change, token revoke close sockets
        asyncio_compat.install()  # Python 3.11: wait_for must not lose cancellations
