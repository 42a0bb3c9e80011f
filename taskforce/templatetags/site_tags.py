from datetime import datetime

from django import template

register = template.Library()


@register.filter(expects_localtime=True)
def iso8601(value):
    """
    A date or time as a <time datetime> attribute wants it: ISO 8601, a time to the
    second with its offset ("2025-06-12T17:00:00+02:00"), a date alone ("2025-06-12").
    """
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat() if value else ""
