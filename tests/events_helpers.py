"""Small builders for event tests."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from events import services
from events.models import Event

_numbers = count(1)


def make_event(**fields):
    number = next(_numbers)
    start = fields.pop(
        "start", timezone.now().replace(second=0, microsecond=0) + timedelta(days=10)
    )
    defaults = {
        "title": f"Smart city workshop {number}",
        "slug": f"smart-city-workshop-{number}",
        "summary": "A workshop on standards for smart cities.",
        "start": start,
        "end": start + timedelta(hours=2),
        "time_zone": "Europe/Paris",
        "venue_name": "Geneva International Conference Centre",
        "status": Event.Status.PUBLISHED,
    }
    return Event.objects.create(**{**defaults, **fields})


def register(event, email=None, name="Ada Lovelace", **fields):
    email = email or f"person{next(_numbers)}@example.org"
    return services.register(event=event, name=name, email=email, consent=True, **fields)


def register_at(event, email=None, name="Ada Lovelace", **fields):
    """As the registration form does: by the event's address, read only under its lock."""
    email = email or f"person{next(_numbers)}@example.org"
    return services.register_at(slug=event.slug, name=name, email=email, consent=True, **fields)


def manage_path(body):
    """The private manage link's path, as found in an email body."""
    start = body.index("/events/manage/")
    return body[start : body.index("/", start + len("/events/manage/")) + 1]
