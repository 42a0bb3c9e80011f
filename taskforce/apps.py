from django.apps import AppConfig
from django.core.management import call_command
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TaskforceConfig(AppConfig):
    name = "taskforce"
    verbose_name = _("Site")

    def ready(self):
        from . import cache, checks, images, outages, postgres  # noqa: F401  (checks: the deploy checks)

        cache.connect_signals()
        images.stop_watching_every_loaded_row()
        connection_created.connect(postgres.use_compiled_timestamp_loader)
        connection_created.connect(outages.connection_opened)
        post_migrate.connect(create_cache_table, sender=self)


def create_cache_table(using, verbosity=1, **kwargs):
    """The table of a database cache (the embedded default), whenever the site is migrated."""
    call_command("createcachetable", database=using, verbosity=0)
