"""Calendar files: valid iCalendar that calendar apps import, with stable UIDs and time zones."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from django.utils import timezone

from events.models import Event
from tests.events_helpers import make_event

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def test_event_calendar_has_uid_dtstamp_zoned_times_vtimezone_location_and_description(client):
    event = make_event(
        start=datetime(2030, 6, 1, 12, 0, tzinfo=UTC),
        end=datetime(2030, 6, 1, 14, 0, tzinfo=UTC),
        time_zone="America/New_York",
        venue_name="UN Headquarters",
        venue_address="New York",
    )
    calendar = parse(client.get(f"/events/{event.slug}/calendar.ics"))
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert vevent.decoded("DTSTAMP").tzinfo is not None
    assert vevent["DTSTART"].params["TZID"] == "America/New_York"
    assert vevent.decoded("DTSTART") == event.start
    assert vevent.decoded("DTEND") == event.end
    assert vevent.decoded("DTSTART").hour == 8
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "America/New_York"
    assert str(vevent["LOCATION"]) == "UN Headquarters, New York"
    assert str(vevent["URL"]) == f"http://127.0.0.1:8000{event.get_absolute_url()}"
    assert event.summary in str(vevent["DESCRIPTION"])
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_uid_is_stable_across_downloads_and_edits(client):
    event = make_event()
    first = parse(client.get(f"/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]["UID"]
    event.title = "Renamed"
    event.save()
    second = parse(client.get(f"/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]["UID"]
    assert first == second


def test_all_day_events_use_date_values_with_an_exclusive_end(client):
    event = make_event(all_day=True, time_zone="Asia/Singapore")
    event.start, event.end = event.all_day_bounds(date(2030, 7, 13), date(2030, 7, 13))
    event.save()
    ical = client.get(f"/events/{event.slug}/calendar.ics").content.decode()
    assert "DTSTART;VALUE=DATE:20300713" in ical
    assert "DTEND;VALUE=DATE:20300714" in ical
    assert "VTIMEZONE" not in ical


def test_online_events_give_their_page_never_the_online_link(client):
    event = make_event(is_online=True, online_url="https://meet.example.org/private")
    vevent = parse(client.get(f"/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]
    assert "LOCATION" not in vevent
    assert "private" not in vevent.to_ical().decode()
    assert str(vevent["URL"]).endswith(event.get_absolute_url())


def test_upcoming_calendar_lists_upcoming_published_events_only(client):
    soon = make_event(title="Soon", time_zone="Europe/Paris")
    later = make_event(title="Later", time_zone="Asia/Tokyo")
    make_event(title="Draft", status=Event.Status.DRAFT)
    make_event(title="Over", start=timezone.now() - timedelta(days=5))
    calendar = parse(client.get("/events/calendar.ics"))
    assert sorted(str(v["SUMMARY"]) for v in calendar.walk("VEVENT")) == [later.title, soon.title]
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Paris", "Asia/Tokyo"}


def test_cancelled_events_are_marked_cancelled(client):
    event = make_event(status=Event.Status.CANCELLED)
    vevent = parse(client.get(f"/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_upcoming_calendar_holds_the_next_twenty_events_as_the_events_page_says(client):
    start = timezone.now() + timedelta(days=1)
    events = [make_event(start=start + timedelta(days=n)) for n in range(21)]
    calendar = parse(client.get("/events/calendar.ics"))
    assert [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")] == [e.title for e in events[:20]]
    page = client.get("/events/").content.decode()
    assert "Add the next 20 events to your calendar (.ics)" in page


def test_text_with_special_characters_and_long_lines_reads_back_unchanged(client):
    title = "Villes intelligentes; données, capteurs \\ normes \N{EN DASH} " + "é" * 60
    summary = "Première ligne,\nseconde ligne; avec \\ et des caractères: ≥ ✓ 🏙️ " * 3
    event = make_event(title=title, summary=summary, venue_name="Palais, Genève; salle 2")
    content = client.get(f"/events/{event.slug}/calendar.ics").content
    lines = content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert all(line.decode() for line in lines if line)  # never split inside a character
    (vevent,) = parse(client.get(f"/events/{event.slug}/calendar.ics")).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == title
    assert str(vevent["DESCRIPTION"]).startswith(summary + "\n\nhttp://")
    assert str(vevent["LOCATION"]) == "Palais, Genève; salle 2"


def test_events_in_utc_give_utc_times_and_no_time_zone_definition(client):
    start = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    event = make_event(time_zone="UTC", start=start, end=start + timedelta(hours=2))
    calendar = parse(client.get(f"/events/{event.slug}/calendar.ics"))
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["DTSTART"].to_ical() == b"20300601T120000Z"
    assert vevent.decoded("DTEND") == event.end
    assert calendar.walk("VTIMEZONE") == []
