from django.apps import AppConfig


class TaskforceConfig(AppConfig):
    name = "taskforce"
    verbose_name = "Site"

    def ready(self):
        from . import cache, checks  # noqa: F401  (checks registers the deploy checks)

        cache.connect_signals()
