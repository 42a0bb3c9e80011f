"""iCalendar (RFC 5545) files for events, built with the icalendar library."""

from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone


def absolute_url(path):
    return settings.SITE_URL.rstrip("/") + path


def event_uid(event):
    return f"event-{event.pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}"


def build_vevent(event, *, online_link=False):
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", event.updated or timezone.now())
    vevent.add("summary", event.title)
    if event.all_day:
        vevent.add("dtstart", event.first_day)
        vevent.add("dtend", event.local(event.end).date())
    else:
        vevent.add("dtstart", event.local(event.start))
        vevent.add("dtend", event.local(event.end))
    page = absolute_url(event.get_absolute_url())
    vevent.add("url", page)
    description = [event.summary, page]
    if event.is_online:
        if online_link and event.online_url:
            vevent.add("location", event.online_url)
            description.append(f"Join online: {event.online_url}")
    elif event.where:
        vevent.add("location", event.where)
    vevent.add("description", "\n\n".join(description))
    vevent.add("status", "CANCELLED" if event.status == event.Status.CANCELLED else "CONFIRMED")
    return vevent


def build_calendar(events, *, online_link=False):
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{settings.SITE_NAME}: events")
    events = list(events)
    for event in events:
        calendar.add_component(build_vevent(event, online_link=online_link))
    if events:
        # Time zone rules only for the years the events span: a few lines, not decades.
        first = min(event.start for event in events).date()
        last = max(event.end for event in events).date()
        calendar.add_missing_timezones(
            first_date=first.replace(month=1, day=1), last_date=last.replace(month=12, day=31)
        )
    return calendar.to_ical()
