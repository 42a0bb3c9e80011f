from django import template

from events.models import Event

register = template.Library()


@register.inclusion_tag("events/_upcoming_events.html")
def upcoming_events(count=3):
    events = Event.objects.public().upcoming().with_confirmed_count().with_organisers()[:count]
    return {"events": events}
