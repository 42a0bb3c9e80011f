"""Small builders for event tests."""

import re
from datetime import timedelta
from itertools import count

import icalendar
import vobject
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
    return re.search(r"/(en|fr)/events/manage/[^/\s]+/", body)[0]


def forget_vobject_time_zones():
    """
    vobject keeps the first VTIMEZONE it reads for each TZID for the rest of the process,
    and reads later files' times with it; each file must be read with its own.
    """
    zones = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in zones if tzid != "UTC"]:
        del zones[tzid]


def read_calendar(content):
    """
    A calendar file as two independent parsers read it: icalendar and vobject. Both
    must read it, and agree on its method, UIDs and sequence numbers.
    """
    if isinstance(content, str):
        content = content.encode()
    first = icalendar.Calendar.from_ical(content)
    forget_vobject_time_zones()
    second = vobject.readOne(content.decode())
    assert str(first.get("METHOD")) == second.method.value
    events = first.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [e.uid.value for e in second.vevent_list]
    assert [int(e["SEQUENCE"]) for e in events] == [
        int(e.sequence.value) for e in second.vevent_list
    ]
    return first, second


def invitation(message):
    """
    The calendar update an email carries, read by both parsers, after checking that
    the alternative part names its method and the attachment is the same file.
    """
    calendars = [(content, mimetype) for content, mimetype in message.alternatives]
    calendars = [(c, m) for c, m in calendars if m.startswith("text/calendar")]
    if not calendars:
        assert not message.attachments
        return None
    ((content, mimetype),) = calendars
    ((name, attached, attached_type),) = message.attachments
    assert (name, attached_type) == ("event.ics", "application/ics")
    assert attached.decode() == content
    first, second = read_calendar(content)
    assert mimetype == f"text/calendar; method={first['METHOD']}"
    return first, second


def answer_page(client, response):
    """The page a registration form's answer redirects to, without what differs per request:
    the CSRF token, and the page's own address, signed with the second it was made in."""
    html = client.get(response["Location"]).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"/registered/[^/]+/", "/registered/…/", html)
