"""Events and registrations: QuerySets, dates in the event's zone, database invariants."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import services
from events.models import Event, Registration, hash_token
from tests.conftest import BASE_DIR
from tests.events_helpers import make_event, register

FIXTURES = BASE_DIR / "fixtures"

pytestmark = pytest.mark.django_db


def test_published_upcoming_and_past_querysets_see_only_what_they_should():
    now = timezone.now()
    upcoming = make_event(start=now + timedelta(days=1))
    running = make_event(start=now - timedelta(hours=1))
    past = make_event(start=now - timedelta(days=3))
    draft = make_event(status=Event.Status.DRAFT)
    cancelled = make_event(status=Event.Status.CANCELLED)

    assert set(Event.objects.published()) == {upcoming, running, past}
    assert set(Event.objects.public()) == {upcoming, running, past, cancelled}
    assert list(Event.objects.public().upcoming()) == [running, upcoming, cancelled]
    assert list(Event.objects.public().past()) == [past]
    assert draft not in Event.objects.public()


def test_lists_count_confirmed_seats_only_and_zero_before_anyone_registers():
    nobody = make_event(capacity=3)
    full = make_event(capacity=2)
    for _ in range(3):  # the third joins the waiting list
        register(full)
    half = make_event(capacity=3)
    register(half)
    services.cancel_registration(registration=register(half).registration)
    events = Event.objects.with_confirmed_count()
    assert {event.pk: event.confirmed_count for event in events} == {
        nobody.pk: 0,
        full.pk: 2,
        half.pk: 1,
    }


def test_event_basics_str_and_url():
    event = make_event(title="Cities and standards", slug="cities-and-standards")
    assert str(event) == "Cities and standards"
    assert event.get_absolute_url() == "/en/events/cities-and-standards/"


def test_times_are_shown_in_the_events_zone_with_the_zone_named():
    event = make_event(
        start=datetime(2026, 1, 15, 13, 0, tzinfo=UTC),
        end=datetime(2026, 1, 15, 15, 0, tzinfo=UTC),
        time_zone="Europe/Paris",
    )
    assert event.when == "Thursday 15 January 2026, 14:00\N{EN DASH}16:00 CET (Europe/Paris)"
    summer = make_event(
        start=datetime(2026, 7, 15, 12, 0, tzinfo=UTC),
        end=datetime(2026, 7, 16, 9, 0, tzinfo=UTC),
        time_zone="Europe/Paris",
    )
    assert summer.when == (
        "Wednesday 15 July 2026 14:00 \N{EN DASH} Thursday 16 July 2026 11:00 CEST (Europe/Paris)"
    )


def test_each_date_and_time_shown_carries_its_iso_value_with_the_events_offset():
    two_days = make_event(
        start=datetime(2026, 7, 15, 12, 0, tzinfo=UTC),
        end=datetime(2026, 7, 16, 9, 0, tzinfo=UTC),
        time_zone="Europe/Paris",
    )
    assert [moment for _, moment in two_days.when_parts if moment] == [
        "2026-07-15T14:00:00+02:00",
        "2026-07-16T11:00:00+02:00",
    ]
    all_days = make_event(all_day=True, time_zone="Asia/Riyadh")
    all_days.start, all_days.end = all_days.all_day_bounds(date(2026, 3, 1), date(2026, 3, 3))
    assert [moment for _, moment in all_days.when_parts if moment] == ["2026-03-01", "2026-03-03"]
    assert all_days.when == "Sunday 1 March 2026 \N{EN DASH} Tuesday 3 March 2026"


def test_all_day_events_show_the_date_only_and_clean_to_local_midnights():
    event = Event(
        title="World Standards Day",
        slug="wsd",
        summary="x",
        start=datetime(2020, 10, 14, 9, 30, tzinfo=UTC),
        end=datetime(2020, 10, 14, 9, 30, tzinfo=UTC),
        time_zone="Asia/Riyadh",
        all_day=True,
    )
    event.clean()
    assert event.start == datetime(2020, 10, 13, 21, 0, tzinfo=UTC)
    assert event.end == datetime(2020, 10, 14, 21, 0, tzinfo=UTC)
    assert event.when == "Wednesday 14 October 2020"


def test_clean_rejects_an_end_before_the_start_and_an_unknown_zone():
    event = make_event()
    event.end = event.start - timedelta(minutes=1)
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        event.clean()
    event.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "time_zone" in error.value.message_dict


def test_database_refuses_an_end_before_the_start():
    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_event(start=start, end=start - timedelta(hours=1))


def test_registration_state_follows_status_opening_closing_and_end():
    now = timezone.now()
    assert make_event().registration_state(now) == "open"
    assert make_event(status=Event.Status.DRAFT).registration_state(now) == "unavailable"
    assert make_event(status=Event.Status.CANCELLED).registration_state(now) == "cancelled"
    assert (
        make_event(registration_opens_at=now + timedelta(days=1)).registration_state(now)
        == "not_open_yet"
    )
    assert (
        make_event(registration_closes_at=now - timedelta(minutes=1)).registration_state(now)
        == "closed"
    )
    assert make_event(start=now - timedelta(minutes=5)).registration_state(now) == "closed"
    assert make_event(start=now - timedelta(days=2)).registration_state(now) == "over"


def test_one_live_registration_per_email_ignoring_case_but_cancelled_ones_do_not_count():
    event = make_event()
    first = register(event, email="Ada@Example.org").registration
    duplicate = Registration(
        event=event,
        name="Ada",
        email="ada@example.ORG",
        status=Registration.Status.WAITLISTED,
        token_hash="x" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    Registration.objects.filter(pk=first.pk).update(status=Registration.Status.CANCELLED)
    duplicate.save()
    assert event.registrations.live().count() == 1


def test_manage_links_are_derived_from_the_registration_and_the_secret_key(settings):
    """Nothing in the database opens a link: it is signed with SECRET_KEY, never stored."""
    first = register(make_event(), email="ada@example.org").registration
    second = register(make_event(), email="grace@example.org").registration
    token = first.manage_token
    assert len(token) >= 43
    assert token != second.manage_token
    assert Registration.objects.get(pk=first.pk).manage_token == token
    assert first.token_hash is None
    row = Registration.objects.filter(pk=first.pk).values().get()
    assert not any(token in str(value) for value in row.values())
    assert list(Registration.objects.by_token(token)) == [first]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert not Registration.objects.by_token(forged).exists()
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert not Registration.objects.by_token(token).exists()


def test_links_issued_before_derived_links_still_open_their_registration():
    registration = register(make_event()).registration
    old_token = "Old-random-token_" + "x" * 26
    Registration.objects.filter(pk=registration.pk).update(token_hash=hash_token(old_token))
    assert list(Registration.objects.by_token(old_token)) == [registration]
    assert list(Registration.objects.by_token(registration.manage_token)) == [registration]
    assert not Registration.objects.by_token("Old-random-token_" + "y" * 26).exists()


def test_two_registrations_never_share_a_link_issued_before():
    """A shared token hash would let one old private link manage another person's place."""
    first = register(make_event(), email="ada@example.org").registration
    Registration.objects.filter(pk=first.pk).update(token_hash="a" * 64)
    other = Registration(
        event=make_event(),
        name="Grace",
        email="grace@example.org",
        status=Registration.Status.CONFIRMED,
        token_hash="a" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_waiting_position_counts_people_who_arrived_earlier():
    event = make_event(capacity=1)
    register(event)
    second = register(event).registration
    third = register(event).registration
    assert second.waiting_position == 1
    assert third.waiting_position == 2


def test_release_fixtures_are_past_published_all_day_and_load_twice_unchanged():
    fixtures = [str(FIXTURES / "organisations.json"), str(FIXTURES / "events.json")]
    call_command("loaddata", *fixtures, verbosity=0)
    call_command("loaddata", *fixtures, verbosity=0)
    events = {event.slug: event for event in Event.objects.all()}
    assert len(events) == 4
    assert all(event.status == "published" and event.all_day for event in events.values())
    assert set(Event.objects.public().past()) == set(events.values())
    assert events["world-smart-city-forum-2016"].when == "Wednesday 13 July 2016"
    assert events["world-smart-city-forum-2018"].when == "Thursday 29 November 2018"
    assert events["world-standards-day-2020"].when == "Wednesday 14 October 2020"
    riyadh = events["g20-riyadh-summit-2020-standards"]
    assert riyadh.when == "Wednesday 4 November 2020"
    assert riyadh.is_online and riyadh.time_zone == "Asia/Riyadh"
    forum_2016 = events["world-smart-city-forum-2016"]
    assert [o.short_name for o in forum_2016.organisers.all()] == ["IEC", "ISO", "ITU"]
    assert "Barcelona" in events["world-smart-city-forum-2018"].body


def test_slugs_used_by_site_pages_are_refused():
    event = make_event()
    event.slug = "past"
    with pytest.raises(ValidationError, match="taken by a page of the site"):
        event.full_clean()
