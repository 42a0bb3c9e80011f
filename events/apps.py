from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from taskforce.cache import register_time_boundary
        from taskforce.images import track_image_files
        from taskforce.views import register_readiness_report

        from . import checks  # noqa: F401  (registers the outbox check)
        from .emails import outbox_report
        from .models import Event

        register_time_boundary(Event.objects.next_change)
        track_image_files(Event, "image")
        register_readiness_report(outbox_report)
