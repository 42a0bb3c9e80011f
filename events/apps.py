from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self):
        from taskforce.cache import register_time_boundary

        from .models import Event

        register_time_boundary(Event.objects.next_change)
