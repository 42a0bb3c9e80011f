"""
iCalendar files for events (RFC 5545), built with the icalendar library.

Two kinds, as iTIP (RFC 5546) names them:

- PUBLISH: the event page's file and the subscription calendar, for anyone.
- REQUEST and CANCEL: the invitation in a registrant's email, with the site as
  ORGANIZER and the registrant as ATTENDEE. Every file gives the event's stable
  UID and its SEQUENCE, which each change registrants are told of raises, so a
  calendar app replaces the entry it holds (REQUEST) or removes it (CANCEL).
"""

from datetime import date, timedelta
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar.timezone import is_utc

from taskforce.context_processors import site_name, site_sender

PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"
# How often calendar apps should read the subscription calendar again (RFC 7986, and
# the older X-PUBLISHED-TTL that Apple and Microsoft read).
REFRESH_INTERVAL = timedelta(hours=4)
PARAGRAPH_BREAK = "\n\n"


def absolute_url(path):
    return settings.SITE_URL.rstrip("/") + path


def event_uid(event):
    return f"event-{event.pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}"


def calendar_address(email, **params):
    """A CAL-ADDRESS (mailto:) with its parameters; icalendar quotes and escapes them."""
    address = icalendar.vCalAddress(f"mailto:{email}")
    address.params.update({name.replace("_", "-").upper(): value for name, value in params.items()})
    return address


def organizer():
    """The site's sender, as its name (in the active language) and address."""
    name, email = parseaddr(site_sender())
    return calendar_address(email, cn=name)


def build_vevent(event, *, online_link=False, stamp=None, status=True):
    """
    The event as a VEVENT. online_link: for confirmed registrants only. stamp: when the
    file was made (DTSTAMP); by default the event's last change, so a published file only
    changes with the event. status: False for a CANCEL that removes one attendee, which
    must not say the event itself is cancelled.
    """
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", stamp or event.updated or timezone.now())
    vevent.add("sequence", event.sequence)
    vevent.add("organizer", organizer())
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
            description.append(_("Join online: {url}").format(url=event.online_url))
    elif event.where:
        vevent.add("location", event.where)
    vevent.add("description", PARAGRAPH_BREAK.join(description))
    if status:
        cancelled = event.status == event.Status.CANCELLED
        vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return vevent


def new_calendar(method):
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


@lru_cache(maxsize=256)
def vtimezone(time_zone, first_year, last_year):
    """
    A zone's VTIMEZONE for whole years. It depends on nothing else, and building it is
    most of the work of a calendar file, so it is built once per process.
    """
    return icalendar.Timezone.from_tzid(
        time_zone, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31)
    )


def finish(calendar, events):
    """The file, with the zones the events' times are given in, only for the years they span."""
    zones = {e.time_zone for e in events if not e.all_day and not is_utc(e.zone)}
    if zones:
        first = min(event.local(event.start).year for event in events)
        last = max(event.local(event.end).year for event in events)
        # Before the events, as older readers need each zone defined before its use.
        calendar.subcomponents[:0] = [vtimezone(zone, first, last) for zone in sorted(zones)]
    return calendar.to_ical()


def build_calendar(events, *, subscription=False):
    """A PUBLISH file of events, as anyone may download it: never an online link."""
    events = list(events)
    calendar = new_calendar(PUBLISH)
    calendar.add("x-wr-calname", _("{site}: events").format(site=site_name()))
    if subscription:
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL).to_ical().decode())
    for event in events:
        calendar.add_component(build_vevent(event))
    return finish(calendar, events)


def build_invitation(registration, *, method, stamp):
    """
    The invitation one registrant's email carries: REQUEST to put the event in their
    calendar or bring it up to date, CANCEL to take it out, for the event's UID.

    A REQUEST is for a confirmed registrant: they accepted by registering, so no reply
    is asked. A CANCEL says the event is cancelled only when it is; otherwise it removes
    this one attendee (RFC 5546, 3.2.5).
    """
    event = registration.event
    confirmed = registration.status == registration.Status.CONFIRMED
    calendar = new_calendar(method)
    vevent = build_vevent(
        event,
        online_link=confirmed and method == REQUEST,
        stamp=stamp,
        status=method == REQUEST or event.status == event.Status.CANCELLED,
    )
    attendee = {"cn": registration.name, "role": "REQ-PARTICIPANT"}
    if method == REQUEST:
        attendee.update(partstat="ACCEPTED", rsvp="FALSE")
    vevent.add("attendee", calendar_address(registration.email, **attendee))
    calendar.add_component(vevent)
    return finish(calendar, [event])
