from django.apps import AppConfig
from django.db.backends.signals import connection_created


class TaskforceConfig(AppConfig):
    name = "taskforce"
    verbose_name = "Site"

    def ready(self):
        from . import cache, checks, postgres  # noqa: F401  (checks registers the deploy checks)

        cache.connect_signals()
        connection_created.connect(postgres.use_compiled_timestamp_loader)
