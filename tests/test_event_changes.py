"""
Rule 10: a new time, place or online link, or a cancellation, reaches every registrant it
concerns by email with a calendar update (same UID, higher SEQUENCE); in the admin, staff
see how many people a change emails and confirm before it is saved.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from events import services
from events.models import Event, OutgoingEmail
from tests.events_helpers import invitation, make_event, register
from tests.html_forms import form_data
from tests.typography import EN_DASH, NBSP, at

pytestmark = pytest.mark.django_db

START = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def booked_event(**fields):
    """Two seats taken and one person waiting; their emails are already sent."""
    event = make_event(capacity=2, start=START, end=START + timedelta(hours=2), **fields)
    for email in ("ada@example.org", "grace@example.org", "waiting@example.org"):
        register(event, email=email)
    OutgoingEmail.objects.update(sent_at=timezone.now())
    return event


def by_recipient(outbox):
    return {message.to[0]: message for message in outbox}


# The service


def test_a_new_time_emails_everyone_registered_with_what_changed(committed, mailoutbox):
    event = booked_event(time_zone="Europe/Paris")
    with committed():
        change = services.change_event(
            event=event, start=START + timedelta(days=1), end=START + timedelta(days=1, hours=3)
        )
    assert len(change.told) == 3
    event.refresh_from_db()
    assert event.sequence == 1
    emails = by_recipient(mailoutbox)
    assert sorted(emails) == ["ada@example.org", "grace@example.org", "waiting@example.org"]
    for address in ("ada@example.org", "grace@example.org"):
        message = emails[address]
        assert message.subject == f"Event changed: {event.title}"
        body = message.body
        assert "New time: Sunday 2 June 2030, 14:00\N{EN DASH}17:00 CEST (Europe/Paris)" in body
        assert "(was: Saturday 1 June 2030, 14:00\N{EN DASH}16:00 CEST (Europe/Paris))" in body
        assert "Your seat is kept" in message.body
        calendar, other = invitation(message)
        (vevent,) = calendar.walk("VEVENT")
        assert calendar["METHOD"] == "REQUEST"
        assert str(vevent["UID"]) == f"event-{event.pk}@127.0.0.1"
        assert int(vevent["SEQUENCE"]) == 1
        assert vevent.decoded("DTSTART") == START + timedelta(days=1)
        assert other.vevent.dtend.value == START + timedelta(days=1, hours=3)
    waiting = emails["waiting@example.org"]
    assert invitation(waiting) is None
    assert "New time: Sunday 2 June 2030" in waiting.body
    assert "still on the waiting list, in position 1. No seat is held for you yet" in waiting.body


def test_a_new_place_says_where_and_where_it_was(committed, mailoutbox):
    event = booked_event(venue_name="Palais des Nations", venue_address="Geneva")
    with committed():
        services.change_event(event=event, venue_name="CICG", venue_address="Geneva")
    message = by_recipient(mailoutbox)["ada@example.org"]
    assert "New place: CICG, Geneva\n(was: Palais des Nations, Geneva)" in message.body
    vevent = invitation(message)[0].walk("VEVENT")[0]
    assert str(vevent["LOCATION"]) == "CICG, Geneva"
    assert len(mailoutbox) == 3


def test_a_new_online_link_goes_to_people_holding_a_seat_only(committed, mailoutbox):
    event = booked_event(is_online=True, online_url="https://meet.example.org/old")
    with committed():
        change = services.change_event(event=event, online_url="https://meet.example.org/new")
    assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.org", "grace@example.org"]
    assert len(change.told) == 2
    message = mailoutbox[0]
    assert "New link to join online: https://meet.example.org/new" in message.body
    assert "meet.example.org/old" not in message.body
    vevent = invitation(message)[0].walk("VEVENT")[0]
    assert str(vevent["LOCATION"]) == "https://meet.example.org/new"
    assert int(vevent["SEQUENCE"]) == 1


def test_a_french_registrant_is_told_of_a_new_time_in_french(committed, mailoutbox):
    """Staff change the event in English; each registrant reads the change in their language."""
    event = make_event(start=START, end=START + timedelta(hours=2), time_zone="Europe/Paris")
    register(event, email="camille@example.org", language="fr")
    OutgoingEmail.objects.update(sent_at=timezone.now())
    with committed():
        services.change_event(
            event=event, start=START + timedelta(days=1), end=START + timedelta(days=1, hours=3)
        )
    (message,) = mailoutbox
    assert message.subject == f"Événement modifié{NBSP}: {event.title}"
    new, was = f"{at(14)}{EN_DASH}{at(17)} CEST", f"{at(14)}{EN_DASH}{at(16)} CEST"
    assert f"Nouvel horaire{NBSP}: dimanche 2 juin 2030, {new}" in message.body
    assert f"(auparavant{NBSP}: samedi 1er juin 2030, {was}" in message.body


def test_changes_nobody_must_know_of_raise_no_sequence_and_email_nobody(committed, mailoutbox):
    event = booked_event()
    with committed():
        services.change_event(event=event, start=event.start, capacity=2)
        services.change_event(event=event, online_url="https://meet.example.org/x")  # not online
    event.refresh_from_db()
    assert event.sequence == 0
    assert mailoutbox == []


def test_fixing_the_time_of_an_event_long_over_emails_nobody(committed, mailoutbox):
    event = booked_event()
    past = timezone.now() - timedelta(days=30)
    Event.objects.filter(pk=event.pk).update(start=past, end=past + timedelta(hours=1))
    with committed():
        services.change_event(event=event, start=past - timedelta(hours=1))
    event.refresh_from_db()
    assert event.sequence == 1
    assert mailoutbox == []


def test_people_to_tell_counts_what_change_event_emails():
    event = booked_event()
    later = {"start": START + timedelta(hours=1), "end": START + timedelta(hours=3)}
    assert services.people_to_tell(event=event, **later).count() == 3
    assert services.people_to_tell(event=event, capacity=5).count() == 0
    assert services.people_to_tell(event=event, status=Event.Status.CANCELLED).count() == 3
    assert len(services.change_event(event=event, **later).told) == 3


# The admin


def change_form_data(client, event, **changes):
    """
    The event's change form as the admin renders it (times as the clock reads in the
    event's zone), with some fields changed.
    """
    url = f"/admin/events/event/{event.pk}/change/"
    data = form_data(client.get(url).content.decode(), "event_form")
    data.update({name: [value] for name, value in changes.items()})
    return url, data


def test_changing_the_start_in_the_admin_asks_first_then_emails_each_registrant(
    client, event_manager, committed, mailoutbox
):
    event = booked_event()
    url, data = change_form_data(
        client, event, start_1="15:00", end_1="17:00", title_en="Renamed as well"
    )
    with committed():
        page = client.post(url, data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 people holding a seat" in html and "1 on the waiting list" in html
    assert "Saturday 1 June 2030, 14:00\N{EN DASH}16:00" in html  # now
    assert "Saturday 1 June 2030, 15:00\N{EN DASH}17:00" in html  # after saving
    assert "Yes, save and email 3 people" in html
    event.refresh_from_db()
    assert (event.start, event.title, event.sequence) == (START, event.title, 0)
    assert event.title != "Renamed as well"
    assert mailoutbox == []

    confirmed = dict(data, _confirm_telling="1")
    with committed():
        response = client.post(url, confirmed)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.start == START + timedelta(hours=1)
    assert event.title == "Renamed as well"
    assert event.sequence == 1
    assert sorted(m.to[0] for m in mailoutbox) == [
        "ada@example.org",
        "grace@example.org",
        "waiting@example.org",
    ]
    for message in mailoutbox:
        assert message.subject == "Event changed: Renamed as well"
        found = invitation(message)
        if message.to == ["waiting@example.org"]:
            assert found is None
            continue
        calendar, other = found
        (vevent,) = calendar.walk("VEVENT")
        assert calendar["METHOD"] == "REQUEST" == other.method.value
        assert str(vevent["UID"]) == other.vevent.uid.value == f"event-{event.pk}@127.0.0.1"
        assert int(vevent["SEQUENCE"]) == 1
        assert vevent.decoded("DTSTART") == other.vevent.dtstart.value == event.start
    assert "3 people emailed about the change." in client.get(response["Location"]).content.decode()


def test_an_edit_that_emails_nobody_is_saved_at_once(client, event_manager):
    event = make_event(start=START, end=START + timedelta(hours=2))
    url, data = change_form_data(client, event, start_1="15:00", end_1="17:00")
    assert client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert (event.start, event.sequence) == (START + timedelta(hours=1), 1)
    booked = booked_event()
    url, data = change_form_data(client, booked, summary_en="A better summary.")
    assert client.post(url, data).status_code == 302
    assert Event.objects.get(pk=booked.pk).summary == "A better summary."


def test_cancelling_in_the_form_asks_first_then_sends_everyone_a_cancel(
    client, event_manager, committed, mailoutbox
):
    event = booked_event()
    url, data = change_form_data(client, event, status="cancelled")
    html = client.post(url, data).content.decode()
    assert "Saving cancels" in html and "Yes, save and email 3 people" in html
    assert Event.objects.get(pk=event.pk).status == "published"
    with committed():
        assert client.post(url, dict(data, _confirm_telling="1")).status_code == 302
    event.refresh_from_db()
    assert (event.status, event.sequence) == ("cancelled", 1)
    assert not event.registrations.live().exists()
    assert len(mailoutbox) == 3
    for message in mailoutbox:
        calendar, _ = invitation(message)
        assert calendar["METHOD"] == "CANCEL"
        assert int(calendar.walk("VEVENT")[0]["SEQUENCE"]) == 1


def test_the_cancel_action_sends_a_cancel_for_the_same_uid(
    client, event_manager, committed, mailoutbox
):
    event = booked_event()
    with committed():
        client.post(
            "/admin/events/event/",
            {"action": "cancel_events", "_selected_action": [str(event.pk)], "post": "yes"},
        )
    assert len(mailoutbox) == 3
    for message in mailoutbox:
        calendar, other = invitation(message)
        vevent = calendar.walk("VEVENT")[0]
        assert calendar["METHOD"] == "CANCEL" == other.method.value
        assert str(vevent["UID"]) == f"event-{event.pk}@127.0.0.1"
        assert int(vevent["SEQUENCE"]) == 1
