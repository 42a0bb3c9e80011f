"""Public event pages: lists, detail, home section, navigation, sitemap and query budgets."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from taskforce.models import Organisation
from tests.events_helpers import make_event, register
from tests.sitemap_helpers import read_sitemap

pytestmark = pytest.mark.django_db


def test_upcoming_list_shows_published_future_events_in_date_order(client):
    later = make_event(title="Later workshop", start=timezone.now() + timedelta(days=20))
    sooner = make_event(title="Sooner workshop", start=timezone.now() + timedelta(days=2))
    make_event(title="Secret draft", status=Event.Status.DRAFT)
    make_event(title="Old workshop", start=timezone.now() - timedelta(days=30))
    html = client.get("/en/events/").content.decode()
    assert html.index(sooner.title) < html.index(later.title)
    assert "Secret draft" not in html
    assert "Old workshop" not in html
    assert '<a href="/en/events/past/">Past events</a>' in html


def test_past_list_shows_ended_events_newest_first(client):
    older = make_event(title="Older forum", start=timezone.now() - timedelta(days=300))
    newer = make_event(title="Newer forum", start=timezone.now() - timedelta(days=30))
    make_event(title="Coming forum")
    html = client.get("/en/events/past/").content.decode()
    assert html.index(newer.title) < html.index(older.title)
    assert "Coming forum" not in html


def test_event_lists_page_through_without_counting(client):
    soon = timezone.now() + timedelta(days=1)
    for n in range(21):
        make_event(title=f"Upcoming {n:02}", start=soon + timedelta(days=n))
        make_event(title=f"Past {n:02}", start=timezone.now() - timedelta(days=30 + n))
    first = client.get("/en/events/").content.decode()
    assert "Upcoming 19" in first and "Upcoming 20" not in first
    assert '<a href="?page=2" rel="next">Later</a>' in first
    second = client.get("/en/events/?page=2").content.decode()
    assert "Upcoming 20" in second and "Upcoming 19" not in second
    assert '<a href="?page=1" rel="prev">Sooner</a>' in second
    past = client.get("/en/events/past/").content.decode()
    assert "Past 00" in past and "Past 20" not in past
    assert '<a href="?page=2" rel="next">Older</a>' in past
    for page in ("3", "abc", "0"):
        assert client.get("/en/events/", {"page": page}).status_code == 404


def test_detail_shows_time_in_the_events_zone_venue_organisers_and_seats(client):
    itu = Organisation.objects.create(
        name="International Telecommunication Union", short_name="ITU", slug="itu"
    )
    event = make_event(
        start=datetime(2030, 3, 5, 13, 0, tzinfo=UTC),
        end=datetime(2030, 3, 5, 15, 0, tzinfo=UTC),
        time_zone="Europe/Paris",
        capacity=3,
        venue_name="CICG",
        venue_address="Geneva",
    )
    event.organisers.add(itu)
    register(event)
    html = client.get(event.get_absolute_url()).content.decode()
    assert (
        '<time datetime="2030-03-05T14:00:00+01:00">Tuesday 5 March 2030, 14:00</time>'
        '\N{EN DASH}<time datetime="2030-03-05T16:00:00+01:00">16:00</time> CET (Europe/Paris)'
    ) in html
    assert "CICG, Geneva" in html
    assert (
        '<dd><a href="/en/organisations/itu/">International Telecommunication Union (ITU)</a></dd>'
        in html
    )
    assert "2 seats left" in html
    assert 'action="/en/events/' in html and "Register</button>" in html
    assert "We delete them 90 days after the event ends." in html


def test_lists_and_pages_name_the_organisers_and_seats_left(client):
    iso = Organisation.objects.create(name="ISO", short_name="ISO", slug="iso")
    itu = Organisation.objects.create(name="ITU", short_name="ITU", slug="itu")
    event = make_event(capacity=5, venue_name="CICG")
    event.organisers.set([itu, iso])
    register(event)
    make_event(title="Alone", venue_name="")
    for path in ("/en/events/", "/en/"):
        html = client.get(path).content.decode()
        assert "ISO, ITU" in html
        assert "4 seats left" in html
    html = client.get(event.get_absolute_url()).content.decode()
    assert (
        '<a href="/en/organisations/iso/">ISO (ISO)</a>, <a href="/en/organisations/itu/">' in html
    )
    assert "4 seats left" in html
    assert "· CICG · ISO, ITU</p>" in client.get("/en/events/").content.decode()


def test_lists_flag_cancelled_events_and_seats_of_events_not_over(client):
    make_event(title="Called off", status=Event.Status.CANCELLED, capacity=5)
    make_event(title="Open ended")
    full = make_event(title="Packed", capacity=1)
    register(full)
    make_event(title="Done", capacity=5, start=timezone.now() - timedelta(days=3))
    upcoming = client.get("/en/events/").content.decode()
    assert upcoming.count('<span class="badge">') == 2
    assert '<span class="badge">Cancelled</span>' in upcoming
    assert '<span class="badge">Full: waiting list open</span>' in upcoming
    assert '<span class="badge">' not in client.get("/en/events/past/").content.decode()


def test_detail_says_waiting_list_or_full(client):
    waiting = make_event(capacity=1)
    register(waiting)
    html = client.get(waiting.get_absolute_url()).content.decode()
    assert "Full: waiting list open" in html
    assert "you join the waiting list" in html
    full = make_event(capacity=1, waiting_list_enabled=False)
    register(full)
    html = client.get(full.get_absolute_url()).content.decode()
    assert "This event is full." in html
    assert "Register</button>" not in html


def test_all_day_events_show_the_date_without_times(client):
    event = make_event(all_day=True, time_zone="Asia/Riyadh")
    event.start, event.end = event.all_day_bounds(event.first_day, event.first_day)
    event.save()
    html = client.get(event.get_absolute_url()).content.decode()
    day = event.first_day
    assert f'<time datetime="{day:%Y-%m-%d}">{event.when}</time>' in html
    assert ":00" not in event.when
    assert "data-time-zone" not in html  # dates alone: the visitor's clock adds nothing


def test_past_and_cancelled_events_say_so_and_take_no_registration(client):
    past = make_event(start=timezone.now() - timedelta(days=3))
    html = client.get(past.get_absolute_url()).content.decode()
    assert "This event has ended." in html
    assert "Register" not in html.split("<main", 1)[1]
    cancelled = make_event(status=Event.Status.CANCELLED)
    html = client.get(cancelled.get_absolute_url()).content.decode()
    assert "This event is cancelled." in html
    assert "Register" not in html.split("<main", 1)[1]


def test_online_link_is_never_shown_publicly(client):
    event = make_event(is_online=True, online_url="https://meet.example.org/secret-room")
    for path in (event.get_absolute_url(), "/en/events/", "/en/events/calendar.ics", "/en/"):
        assert "secret-room" not in client.get(path).content.decode()
    assert "Online" in client.get(event.get_absolute_url()).content.decode()


def test_drafts_are_not_found(client):
    assert client.get(make_event(status=Event.Status.DRAFT).get_absolute_url()).status_code == 404


def test_home_page_lists_three_upcoming_events_and_the_nav_links_to_events(client):
    for day in range(1, 5):
        make_event(title=f"Event on day {day}", start=timezone.now() + timedelta(days=day))
    html = client.get("/en/").content.decode()
    assert "Upcoming events</h2>" in html
    assert "Event on day 3" in html
    assert "Event on day 4" not in html
    assert '<li><a href="/en/events/">Events</a></li>' in html
    assert 'href="/en/events/" aria-current="page"' in client.get("/en/events/").content.decode()


def test_sitemap_lists_published_events_only(client):
    published = make_event()
    draft = make_event(status=Event.Status.DRAFT)
    xml = read_sitemap(client)
    assert f"http://testserver{published.get_absolute_url()}" in xml
    assert draft.get_absolute_url() not in xml


def populate(events, registrations_each, *, past=False):
    organisations = [
        Organisation.objects.create(name=f"Org {i}", short_name=f"O{i}", slug=f"o{i}")
        for i in range(Organisation.objects.count(), Organisation.objects.count() + 3)
    ]
    created = []
    for _ in range(events):
        event = make_event(capacity=registrations_each)
        event.organisers.set(organisations)
        for _ in range(registrations_each + 1):
            register(event)
        created.append(event)
    if past:
        start = timezone.now() - timedelta(days=10)
        Event.objects.update(start=start, end=start + timedelta(hours=2))
    return created


@pytest.mark.parametrize("path", ["/en/events/", "/en/events/past/", "DETAIL", "/en/"])
def test_pages_run_the_same_number_of_queries_for_few_and_many_rows(client, path):
    def count_queries(events, registrations_each):
        created = populate(events, registrations_each, past=path == "/en/events/past/")
        url = created[0].get_absolute_url() if path == "DETAIL" else path
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        assert any(event.title in response.content.decode() for event in created)
        return len(context.captured_queries)

    few = count_queries(1, 1)
    many = count_queries(25, 4)
    assert few == many
    # The home page also shows the latest news and featured quotes.
    assert many <= (5 if path == "/en/" else 3)
