"""
Calendar files: valid iCalendar that calendar apps import, with stable UIDs and time
zones; published files for anyone, invitations (RFC 5546) in registrants' emails.
Every file is read by two independent parsers, icalendar and vobject.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from events import services
from events.emails import build_message, send_pending
from events.models import Event
from tests.events_helpers import invitation, make_event, manage_path, read_calendar, register

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar, _ = read_calendar(response.content)
    return calendar


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (email delivery) of what happens inside, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_event_calendar_has_uid_dtstamp_zoned_times_vtimezone_location_and_description(client):
    event = make_event(
        start=datetime(2030, 6, 1, 12, 0, tzinfo=UTC),
        end=datetime(2030, 6, 1, 14, 0, tzinfo=UTC),
        time_zone="America/New_York",
        venue_name="UN Headquarters",
        venue_address="New York",
    )
    calendar = parse(client.get(f"/en/events/{event.slug}/calendar.ics"))
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
    first = parse(client.get(f"/en/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]["UID"]
    event.title = "Renamed"
    event.save()
    second = parse(client.get(f"/en/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]["UID"]
    assert first == second


def test_all_day_events_use_date_values_with_an_exclusive_end(client):
    event = make_event(all_day=True, time_zone="Asia/Singapore")
    event.start, event.end = event.all_day_bounds(date(2030, 7, 13), date(2030, 7, 13))
    event.save()
    ical = client.get(f"/en/events/{event.slug}/calendar.ics").content.decode()
    assert "DTSTART;VALUE=DATE:20300713" in ical
    assert "DTEND;VALUE=DATE:20300714" in ical
    assert "VTIMEZONE" not in ical


def test_online_events_give_their_page_never_the_online_link(client):
    event = make_event(is_online=True, online_url="https://meet.example.org/private")
    vevent = parse(client.get(f"/en/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]
    assert "LOCATION" not in vevent
    assert "private" not in vevent.to_ical().decode()
    assert str(vevent["URL"]).endswith(event.get_absolute_url())


def test_upcoming_calendar_lists_upcoming_published_events_only(client):
    soon = make_event(title="Soon", time_zone="Europe/Paris")
    later = make_event(title="Later", time_zone="Asia/Tokyo")
    make_event(title="Draft", status=Event.Status.DRAFT)
    make_event(title="Over", start=timezone.now() - timedelta(days=5))
    calendar = parse(client.get("/en/events/calendar.ics"))
    assert sorted(str(v["SUMMARY"]) for v in calendar.walk("VEVENT")) == [later.title, soon.title]
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Paris", "Asia/Tokyo"}


def test_cancelled_events_are_marked_cancelled(client):
    event = make_event(status=Event.Status.CANCELLED)
    vevent = parse(client.get(f"/en/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_upcoming_calendar_holds_the_next_twenty_events_as_the_events_page_says(client):
    start = timezone.now() + timedelta(days=1)
    events = [make_event(start=start + timedelta(days=n)) for n in range(21)]
    calendar = parse(client.get("/en/events/calendar.ics"))
    assert [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")] == [e.title for e in events[:20]]
    page = client.get("/en/events/").content.decode()
    assert "Add the next 20 events to your calendar (.ics)" in page


def test_text_with_special_characters_and_long_lines_reads_back_unchanged(client):
    title = "Villes intelligentes; données, capteurs \\ normes \N{EN DASH} " + "é" * 60
    summary = "Première ligne,\nseconde ligne; avec \\ et des caractères: ≥ ✓ 🏙️ " * 3
    event = make_event(title=title, summary=summary, venue_name="Palais, Genève; salle 2")
    content = client.get(f"/en/events/{event.slug}/calendar.ics").content
    lines = content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert all(line.decode() for line in lines if line)  # never split inside a character
    (vevent,) = parse(client.get(f"/en/events/{event.slug}/calendar.ics")).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == title
    assert str(vevent["DESCRIPTION"]).startswith(summary + "\n\nhttp://")
    assert str(vevent["LOCATION"]) == "Palais, Genève; salle 2"


def test_events_in_utc_give_utc_times_and_no_time_zone_definition(client):
    start = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    event = make_event(time_zone="UTC", start=start, end=start + timedelta(hours=2))
    calendar = parse(client.get(f"/en/events/{event.slug}/calendar.ics"))
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["DTSTART"].to_ical() == b"20300601T120000Z"
    assert vevent.decoded("DTEND") == event.end
    assert calendar.walk("VTIMEZONE") == []


# Published files (METHOD:PUBLISH)


def test_event_file_is_published_with_organizer_and_sequence_and_no_attendee(client, settings):
    settings.DEFAULT_FROM_EMAIL = "Joint Task Force <events@jtf.example.org>"
    start = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    event = make_event(start=start, end=start + timedelta(hours=2), time_zone="Asia/Tokyo")
    response = client.get(f"/en/events/{event.slug}/calendar.ics")
    calendar, other = read_calendar(response.content)
    assert calendar["METHOD"] == "PUBLISH"
    assert "REFRESH-INTERVAL" not in calendar
    (vevent,) = calendar.walk("VEVENT")
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["ORGANIZER"]) == "mailto:events@jtf.example.org"
    assert vevent["ORGANIZER"].params["CN"] == "Joint Task Force"
    assert "ATTENDEE" not in vevent
    assert other.vevent.dtstart.value == start
    assert other.vevent.dtend.value == start + timedelta(hours=2)
    assert other.vevent.organizer.value == "mailto:events@jtf.example.org"


def test_subscription_calendar_is_published_and_asks_to_be_read_again_every_four_hours(client):
    make_event()
    content = client.get("/en/events/calendar.ics").content
    calendar, other = read_calendar(content)
    assert calendar["METHOD"] == "PUBLISH"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT4H\r\n" in content
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=4)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT4H"
    assert other.refresh_interval.value == "PT4H"
    assert other.x_published_ttl.value == "PT4H"


def test_a_change_registrants_are_told_of_raises_the_sequence_in_published_files(client):
    event = make_event()
    services.change_event(
        event=event, start=event.start + timedelta(days=1), end=event.end + timedelta(days=1)
    )
    vevent = parse(client.get(f"/en/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]
    assert int(vevent["SEQUENCE"]) == 1
    services.cancel_event(event=event)
    vevent = parse(client.get(f"/en/events/{event.slug}/calendar.ics")).walk("VEVENT")[0]
    assert (int(vevent["SEQUENCE"]), str(vevent["STATUS"])) == (2, "CANCELLED")


# Invitations in emails (METHOD:REQUEST and METHOD:CANCEL)


def test_confirmation_invites_the_registrant_by_name_from_the_sites_sender(
    committed, mailoutbox, settings
):
    settings.DEFAULT_FROM_EMAIL = "Joint Task Force <events@jtf.example.org>"
    start = datetime(2030, 6, 1, 7, 30, tzinfo=UTC)
    event = make_event(start=start, end=start + timedelta(hours=3), time_zone="America/New_York")
    with committed():
        register(event, email="zoe@example.org", name="Zoë O'Neil, Jr.")
    calendar, other = invitation(mailoutbox[0])
    assert calendar["METHOD"] == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["ORGANIZER"]) == "mailto:events@jtf.example.org"
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:zoe@example.org"
    assert attendee.params["CN"] == "Zoë O'Neil, Jr."
    assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == ("ACCEPTED", "FALSE")
    assert vevent["DTSTART"].params["TZID"] == "America/New_York"
    assert vevent.decoded("DTSTART") == start
    assert other.vevent.dtstart.value == start
    assert other.vevent.dtend.value == start + timedelta(hours=3)
    assert other.vevent.attendee.value == "mailto:zoe@example.org"
    assert other.vevent.attendee.params["CN"] == ["Zoë O'Neil, Jr."]
    assert [tz.tzid.value for tz in other.vtimezone_list] == ["America/New_York"]


def test_an_invitation_is_stamped_when_its_email_was_queued_on_every_try():
    event = make_event()
    register(event)
    email = event.registrations.get().emails.get()

    first = invitation(build_message(email))[0].walk("VEVENT")[0].decoded("DTSTAMP")
    second = invitation(build_message(email))[0].walk("VEVENT")[0].decoded("DTSTAMP")
    assert first == second == email.created.replace(microsecond=0)


def test_the_waiting_list_email_holds_no_invitation_and_says_no_seat_is_held(committed, mailoutbox):
    event = make_event(capacity=1)
    with committed():
        register(event)
        register(event, email="waiting@example.org")
    waiting = mailoutbox[1]
    assert invitation(waiting) is None
    assert "No seat is held for you yet" in waiting.body
    assert "No seat is held for you yet" in waiting.alternatives[0].content


def test_cancelling_sends_the_registrant_a_cancel_that_removes_only_them(committed, mailoutbox):
    event = make_event(capacity=1)
    outbox = mailoutbox
    with committed():
        first = register(event, email="first@example.org").registration
        register(event, email="second@example.org")
    request = invitation(outbox[0])[0].walk("VEVENT")[0]
    outbox.clear()
    with committed():
        services.cancel_registration(registration=first)
    cancellation = next(m for m in outbox if m.to == ["first@example.org"])
    calendar, other = invitation(cancellation)
    assert calendar["METHOD"] == "CANCEL"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == request["UID"]
    assert int(vevent["SEQUENCE"]) >= int(request["SEQUENCE"])
    assert str(vevent["ATTENDEE"]) == "mailto:first@example.org"
    assert "STATUS" not in vevent  # the event goes on; only this attendee is removed
    assert other.method.value == "CANCEL"
    promoted = next(m for m in outbox if m.to == ["second@example.org"])
    assert invitation(promoted)[0]["METHOD"] == "REQUEST"


def test_cancelling_the_event_sends_everyone_a_cancel_with_a_higher_sequence(committed, mailoutbox):
    event = make_event(capacity=1)
    outbox = mailoutbox
    with committed():
        register(event, email="seat@example.org")
        register(event, email="waiting@example.org")
    request = invitation(outbox[0])[0].walk("VEVENT")[0]
    outbox.clear()
    with committed():
        services.cancel_event(event=event)
    assert sorted(m.to[0] for m in outbox) == ["seat@example.org", "waiting@example.org"]
    for message in outbox:
        calendar, other = invitation(message)
        (vevent,) = calendar.walk("VEVENT")
        assert calendar["METHOD"] == "CANCEL"
        assert vevent["UID"] == request["UID"]
        assert int(vevent["SEQUENCE"]) == int(request["SEQUENCE"]) + 1
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert other.vevent.status.value == "CANCELLED"
        assert "removes it from your calendar" in message.body


def test_a_late_confirmation_of_a_seat_given_up_carries_no_invitation(mailoutbox):
    """Sent after the cancellation (the mail server was down), it must not put the event back."""
    event = make_event()
    registration = register(event).registration
    services.cancel_registration(registration=registration)
    assert send_pending() == (2, 0)
    confirmation, cancellation = mailoutbox
    assert invitation(confirmation) is None
    assert invitation(cancellation)[0]["METHOD"] == "CANCEL"
    assert manage_path(confirmation.body)
