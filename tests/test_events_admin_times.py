"""
An event manager enters times in the admin as the clock reads in the event's own zone:
the page, the calendar file and the email then say the same, and saving changes nothing.
"""

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags

from events.models import Event
from tests.events_helpers import make_event, register
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db

ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")
YEAR = timezone.now().year + 2
EN_DASH = "\N{EN DASH}"


@pytest.fixture
def manager(client, event_manager):
    return client


def last_sunday(year, month):
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def add_form(client, **fields):
    """The add form as the page offers it, filled in with `fields`."""
    response = client.get("/admin/events/event/add/")
    assert response.status_code == 200
    data = form_data(response.content.decode(), "event_form")
    assert data["time_zone"] == ["UTC"]  # until the manager picks the event's zone
    defaults = {
        "title_en": "Standards for smart cities",
        "slug": "standards-for-smart-cities",
        "summary_en": "A day on the standards that cities use.",
        "status": "published",
        "time_zone": "Europe/Zurich",
        "venue_name_en": "Kongresshaus Zürich",
    }
    data.update({name: [value] for name, value in {**defaults, **fields}.items()})
    return data


def change_form(client, event):
    response = client.get(f"/admin/events/event/{event.pk}/change/")
    assert response.status_code == 200
    return response, form_data(response.content.decode(), "event_form")


def nine_to_five(day=date(YEAR, 6, 12)):
    """The date and time inputs of an event from 09:00 to 17:00 on `day`."""
    times = {"start_0": day, "start_1": "09:00", "end_0": day, "end_1": "17:00"}
    return {name: str(value) for name, value in times.items()}


def test_an_event_created_in_zurich_at_9_reads_9_to_17_on_the_page_calendar_and_email(
    manager, django_capture_on_commit_callbacks, mailoutbox
):
    data = add_form(manager, **nine_to_five())
    response = manager.post("/admin/events/event/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(slug="standards-for-smart-cities")
    assert event.start == datetime(YEAR, 6, 12, 7, 0, tzinfo=UTC)
    assert event.end == datetime(YEAR, 6, 12, 15, 0, tzinfo=UTC)

    shown = f"09:00{EN_DASH}17:00 CEST (Europe/Zurich)"
    page = Client().get(event.get_absolute_url()).content.decode()
    assert shown in strip_tags(page)

    calendar = icalendar.Calendar.from_ical(
        Client().get(f"/en/events/{event.slug}/calendar.ics").content
    )
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["DTSTART"].params["TZID"] == "Europe/Zurich"
    start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (
        datetime(YEAR, 6, 12, 9, 0),
        datetime(YEAR, 6, 12, 17, 0),
    )

    with django_capture_on_commit_callbacks(execute=True):
        register(event, email="ada@example.org")
    (email,) = mailoutbox
    assert shown in email.body
    (_, invitation, _) = email.attachments[0]
    (invited,) = icalendar.Calendar.from_ical(invitation).walk("VEVENT")
    assert invited.decoded("DTSTART").astimezone(ZURICH).hour == 9

    changelist = manager.get("/admin/events/event/").content.decode()
    assert f"12 Jun {YEAR}, 09:00{EN_DASH}17:00 CEST<br>" in changelist
    response, data = change_form(manager, event)
    html = response.content.decode()
    assert (data["start_1"], data["end_1"]) == (["09:00"], ["17:00"])
    assert 'id="id_start_zone" data-event-zone>Europe/Zurich</span>' in html
    assert "server time" not in html


EVENTS = {
    "timed, with a registration window": {
        "start": datetime(YEAR, 3, 10, 8, 0, tzinfo=UTC),
        "time_zone": "Europe/Zurich",
        "registration_opens_at": datetime(YEAR, 2, 1, 11, 30, tzinfo=UTC),
        "registration_closes_at": datetime(YEAR, 3, 9, 22, 59, tzinfo=UTC),
    },
    "across a change of the clocks": {
        "start": datetime(YEAR, 10, 1, 7, 0, tzinfo=UTC),
        "end": datetime(YEAR, 11, 1, 16, 0, tzinfo=UTC),
        "time_zone": "Europe/Zurich",
    },
    "with seconds and microseconds, as code may store them": {
        "start": datetime(YEAR, 5, 4, 6, 7, 8, 9, tzinfo=UTC),
        "time_zone": "Asia/Kolkata",
    },
    "all day, over two days": {
        "start": datetime(YEAR, 7, 12, 16, 0, tzinfo=UTC),
        "end": datetime(YEAR, 7, 14, 16, 0, tzinfo=UTC),
        "time_zone": "Asia/Singapore",
        "all_day": True,
    },
}


@pytest.mark.parametrize("fields", EVENTS.values(), ids=EVENTS.keys())
def test_saving_the_change_form_unchanged_leaves_every_time_unchanged(manager, fields):
    event = make_event(**fields)
    before = Event.objects.values("start", "end", "registration_opens_at", "registration_closes_at")
    stored = before.get(pk=event.pk)
    _, data = change_form(manager, event)
    response = manager.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert before.get(pk=event.pk) == stored
    entry = LogEntry.objects.get(object_id=str(event.pk))
    assert entry.get_change_message() == "No fields changed."


def test_an_all_day_event_is_entered_by_its_dates_and_shows_its_last_day(manager):
    data = add_form(
        manager,
        all_day="on",
        start_0=f"{YEAR}-06-12",
        start_1="",
        end_0=f"{YEAR}-06-14",
        end_1="",
    )
    assert manager.post("/admin/events/event/add/", data).status_code == 302
    event = Event.objects.get()
    assert event.start == datetime(YEAR, 6, 12, tzinfo=ZURICH)
    assert event.end == datetime(YEAR, 6, 15, tzinfo=ZURICH)
    _, data = change_form(manager, event)
    assert (data["start_0"], data["end_0"]) == ([f"{YEAR}-06-12"], [f"{YEAR}-06-14"])
    assert (data["start_1"], data["end_1"]) == ([""], [""])


def test_a_new_zone_keeps_the_times_as_written(manager):
    event = make_event(start=datetime(YEAR, 6, 12, 7, 0, tzinfo=UTC), time_zone="Europe/Zurich")
    _, data = change_form(manager, event)
    assert data["start_1"] == ["09:00"]
    data["time_zone"] = ["America/New_York"]
    assert manager.post(f"/admin/events/event/{event.pk}/change/", data).status_code == 302
    event.refresh_from_db()
    assert event.start == datetime(YEAR, 6, 12, 13, 0, tzinfo=UTC)  # 09:00 in New York


@pytest.mark.parametrize(
    ("month", "message"),
    [
        (3, "02:30 on {day} does not exist in Europe/Zurich: the clocks go forward by 1 hour"),
        (10, "02:30 on {day} happens twice in Europe/Zurich: the clocks go back by 1 hour"),
    ],
    ids=["clocks go forward", "clocks go back"],
)
def test_a_time_the_clocks_skip_or_repeat_gets_a_clear_message(manager, month, message):
    day = last_sunday(YEAR, month)
    data = add_form(
        manager, start_0=day.isoformat(), start_1="02:30", end_0=day.isoformat(), end_1="05:00"
    )
    response = manager.post("/admin/events/event/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    day_text = f"{day:%A} {day.day} {day:%B %Y}"
    assert errors["start"][0].startswith(message.format(day=day_text))
    assert not Event.objects.exists()


def test_a_timed_event_needs_its_times(manager):
    day = f"{YEAR}-06-12"
    data = add_form(manager, start_0=day, start_1="", end_0=day, end_1="17:00")
    response = manager.post("/admin/events/event/add/", data)
    assert response.context["adminform"].form.errors["start"] == [
        "Enter a time, or tick “All day”."
    ]
    assert not Event.objects.exists()


def test_the_registration_opening_is_announced_in_the_events_zone(manager):
    data = add_form(
        manager,
        **nine_to_five(),
        registration_opens_at_0=f"{YEAR}-02-01",
        registration_opens_at_1="09:00",
    )
    assert manager.post("/admin/events/event/add/", data).status_code == 302
    event = Event.objects.get()
    assert event.registration_opens_at == datetime(YEAR, 2, 1, 8, 0, tzinfo=UTC)
    visitor = Client()
    page = visitor.get(event.get_absolute_url()).content.decode()
    opening = f"Registration opens on 1 February {YEAR}, 09:00 CET (Europe/Zurich)."
    assert opening in strip_tags(page)
    assert f'<time datetime="{YEAR}-02-01T09:00:00+01:00">' in page
    form = {"name": "Ada", "email": "ada@example.org", "consent": "on"}
    response = visitor.post(f"/en/events/{event.slug}/register/", form, follow=True)
    assert f"it opens on 1 February {YEAR}, 09:00 CET (Europe/Zurich)." in (
        strip_tags(response.content.decode())
    )
