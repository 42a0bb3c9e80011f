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
