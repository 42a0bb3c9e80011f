from django.apps import AppConfig
from django.db.backends.signals import connection_created


class TaskforceConfig(AppConfig):
    name = "taskforce"
    verbose_name = "Site"

    def ready(self):
        from . import cache, checks, images, postgres  # noqa: F401  (checks: the deploy checks)

        cache.connect_signals()
        images.stop_watching_every_loaded_row()
        connection_created.connect(postgres.use_compiled_timestamp_loader)
