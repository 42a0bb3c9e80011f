"""
iCalendar (RFC 5545) files for events.

Events are written as content lines here: the icalendar library infers each value's type
and folds every line character by character, about half a millisecond per event, which
made the subscription calendar the slowest page of the site. The time zone definitions
(VTIMEZONE) still come from icalendar, built once per zone and range of years.
"""

import zoneinfo
from datetime import UTC, date
from functools import lru_cache
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from icalendar.timezone import is_utc

LINE_LIMIT = 75  # octets, without the line break
UTC_FORMAT = "%Y%m%dT%H%M%SZ"
LOCAL_FORMAT = "%Y%m%dT%H%M%S"
DATE_FORMAT = "%Y%m%d"
PARAGRAPH_BREAK = "\n\n"


def absolute_url(path):
    return settings.SITE_URL.rstrip("/") + path


def event_uid(event):
    return f"event-{event.pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}"


def escape_text(value):
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line):
    """Split a content line into lines of at most 75 octets, never inside a character."""
    encoded = line.encode()
    if len(encoded) <= LINE_LIMIT:
        return line
    parts = []
    limit = LINE_LIMIT
    while len(encoded) > limit:
        cut = limit
        while encoded[cut] & 0b1100_0000 == 0b1000_0000:  # inside a UTF-8 character
            cut -= 1
        trailing_backslashes = len(encoded[:cut]) - len(encoded[:cut].rstrip(b"\\"))
        if trailing_backslashes % 2:  # keep an escape such as \n on one line, for old readers
            cut -= 1
        parts.append(encoded[:cut].decode())
        encoded = encoded[cut:]
        limit = LINE_LIMIT - 1  # continuation lines start with a space
    parts.append(encoded.decode())
    return "\r\n ".join(parts)


@lru_cache(maxsize=64)
def zone_is_utc(time_zone):
    return is_utc(zoneinfo.ZoneInfo(time_zone))


@lru_cache(maxsize=256)
def vtimezone_lines(time_zone, first_year, last_year):
    """A zone's VTIMEZONE for whole years: it depends on nothing else, so it is built once."""
    try:
        component = icalendar.Timezone.from_tzid(
            time_zone, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31)
        )
    except ValueError:
        return ()
    return tuple(component.to_ical().decode().splitlines())


def moment_property(name, moment, time_zone):
    if zone_is_utc(time_zone):
        return f"{name}:{moment.astimezone(UTC):{UTC_FORMAT}}"
    return f"{name};TZID={time_zone}:{moment:{LOCAL_FORMAT}}"


def vevent_lines(event, *, online_link=False):
    stamp = (event.updated or timezone.now()).astimezone(UTC)
    page = absolute_url(event.get_absolute_url())
    lines = ["BEGIN:VEVENT", f"UID:{event_uid(event)}", f"DTSTAMP:{stamp:{UTC_FORMAT}}"]
    if event.all_day:
        lines.append(f"DTSTART;VALUE=DATE:{event.first_day:{DATE_FORMAT}}")
        lines.append(f"DTEND;VALUE=DATE:{event.local(event.end):{DATE_FORMAT}}")
    else:
        lines.append(moment_property("DTSTART", event.local(event.start), event.time_zone))
        lines.append(moment_property("DTEND", event.local(event.end), event.time_zone))
    lines.append(f"SUMMARY:{escape_text(event.title)}")
    description = [event.summary, page]
    location = ""
    if event.is_online:
        if online_link and event.online_url:
            location = event.online_url
            description.append(f"Join online: {event.online_url}")
    else:
        location = event.where
    lines.append(f"DESCRIPTION:{escape_text(PARAGRAPH_BREAK.join(description))}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append(f"URL:{page}")
    status = "CANCELLED" if event.status == event.Status.CANCELLED else "CONFIRMED"
    lines += [f"STATUS:{status}", "END:VEVENT"]
    return lines


def timezone_lines(events):
    """VTIMEZONEs for the zones the events' times are given in, over the years they span."""
    zones = {e.time_zone for e in events if not e.all_day and not zone_is_utc(e.time_zone)}
    if not zones:
        return []
    first_year = min(event.local(event.start).year for event in events)
    last_year = max(event.local(event.end).year for event in events)
    return [line for zone in sorted(zones) for line in vtimezone_lines(zone, first_year, last_year)]


def build_calendar(events, *, online_link=False):
    events = list(events)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{settings.SITE_NAME}//Events//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(settings.SITE_NAME + ': events')}",
        *timezone_lines(events),
    ]
    for event in events:
        lines += vevent_lines(event, online_link=online_link)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode()
