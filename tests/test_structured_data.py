"""
What search engines and link previews read: Event and Organization JSON-LD (with the
fields Google's event rich results require and recommend), canonical addresses,
share images, favicons and feed links in every page's head.
"""

import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from PIL import Image

from events.models import Event
from news.models import EmbargoLink
from taskforce.management.commands.draw_site_images import drawings
from taskforce.models import Organisation
from tests.editing import photo_bytes, upload
from tests.events_helpers import make_event
from tests.makers import make_article

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"
# Google's event rich results: what an Event must have, and what it should.
EVENT_REQUIRED = {"name", "startDate", "location"}
EVENT_RECOMMENDED = {"description", "endDate", "eventStatus", "eventAttendanceMode", "organizer"}
OFFSET = re.compile(r"T\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")


class HeadReader(HTMLParser):
    """The <meta>, <link> and JSON-LD of a page."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld, self._in_json = {}, [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs["content"]
        elif tag == "link":
            self.links.append(attrs)
        self._in_json = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_json:
            self.json_ld.append(json.loads(data))
            self._in_json = False


def read_head(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    reader = HeadReader()
    reader.feed(response.content.decode())
    return reader


def link(reader, rel, type_=None):
    return [
        attrs["href"]
        for attrs in reader.links
        if attrs["rel"] == rel and (type_ is None or attrs.get("type") == type_)
    ]


@pytest.fixture
def itu():
    return Organisation.objects.create(
        name="International Telecommunication Union",
        short_name="ITU",
        slug="itu",
        website="https://www.itu.int/",
        description="The United Nations specialized agency for ICTs.",
        founded_the_task_force=True,
    )


def event_data(client, event):
    (data,) = read_head(client, event.get_absolute_url()).json_ld
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    return data


def test_an_event_at_a_venue_has_every_field_google_requires_and_recommends(client, itu):
    event = make_event(
        title="Cities & <standards>",
        start=datetime(2030, 6, 12, 15, 0, tzinfo=UTC),
        end=datetime(2030, 6, 12, 17, 0, tzinfo=UTC),
        time_zone="Europe/Paris",
        venue_name="CICG",
        venue_address="17 Rue de Varembé, Geneva",
        capacity=10,
    )
    event.organisers.add(itu)
    data = event_data(client, event)
    assert data.keys() >= EVENT_REQUIRED | EVENT_RECOMMENDED
    assert data["name"] == "Cities & <standards>"
    assert data["startDate"] == "2030-06-12T17:00:00+02:00"
    assert data["endDate"] == "2030-06-12T19:00:00+02:00"
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert data["location"] == {
        "@type": "Place",
        "name": "CICG",
        "address": "17 Rue de Varembé, Geneva",
    }
    (organizer,) = data["organizer"]
    assert organizer["name"] == "International Telecommunication Union"
    assert organizer["url"] == "https://www.itu.int/"
    assert data["url"] == f"http://testserver{event.get_absolute_url()}"
    assert data["offers"]["availability"] == SCHEMA + "InStock"
    assert data["offers"]["url"] == data["url"]
    assert "image" not in data


def test_the_json_ld_cannot_close_its_script_element(client):
    event = make_event(title="</script><script>alert(1)</script>")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html
    assert event_data(client, event)["name"] == "</script><script>alert(1)</script>"


def test_an_online_event_names_its_page_never_the_private_link(client):
    event = make_event(
        is_online=True, venue_name="", online_url="https://meet.example.org/secret-room"
    )
    data = event_data(client, event)
    assert data["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": data["url"]}
    assert "secret-room" not in client.get(event.get_absolute_url()).content.decode()


def test_an_event_online_and_at_a_venue_is_mixed_with_both_locations(client):
    event = make_event(is_online=True, venue_name="CICG", venue_address="Geneva")
    data = event_data(client, event)
    assert data["eventAttendanceMode"] == SCHEMA + "MixedEventAttendanceMode"
    assert [place["@type"] for place in data["location"]] == ["Place", "VirtualLocation"]
    assert "Online and at CICG, Geneva" in client.get(event.get_absolute_url()).content.decode()


def test_a_cancelled_event_says_so_and_offers_nothing(client):
    event = make_event(status=Event.Status.CANCELLED)
    data = event_data(client, event)
    assert data["eventStatus"] == SCHEMA + "EventCancelled"
    assert "offers" not in data


def test_a_full_event_is_sold_out_and_an_all_day_event_gives_dates(client):
    full = make_event(capacity=0)
    assert event_data(client, full)["offers"]["availability"] == SCHEMA + "SoldOut"
    event = make_event(all_day=True, time_zone="Asia/Tokyo")
    event.start, event.end = event.all_day_bounds(
        datetime(2030, 4, 1).date(), datetime(2030, 4, 2).date()
    )
    event.save()
    data = event_data(client, event)
    assert (data["startDate"], data["endDate"]) == ("2030-04-01", "2030-04-02")


def test_timed_events_give_their_offset_from_utc(client):
    event = make_event(time_zone="America/New_York")
    data = event_data(client, event)
    assert OFFSET.search(data["startDate"]) and OFFSET.search(data["endDate"])


def test_an_event_image_is_shown_shared_and_in_the_structured_data(client, itu):
    event = make_event(image=upload("hall.jpg", photo_bytes(1600, 900)), image_alt="The hall")
    reader = read_head(client, event.get_absolute_url())
    (data,) = reader.json_ld
    (image,) = data["image"]
    assert image.startswith("http://testserver/media/renditions/")
    assert reader.meta["og:image"] == image
    assert (reader.meta["og:image:width"], reader.meta["og:image:height"]) == ("1200", "675")
    assert reader.meta["og:image:alt"] == "The hall"
    assert reader.meta["twitter:card"] == "summary_large_image"
    assert reader.meta["og:type"] == "website"
    html = client.get(event.get_absolute_url()).content.decode()
    assert 'alt="The hall"' in html and "<picture>" in html


def test_an_event_image_is_described_in_french_on_the_french_page(client, itu):
    event = make_event(
        image=upload("hall.jpg", photo_bytes(1600, 900)),
        image_alt_en="The hall",
        image_alt_fr="La salle",
    )
    assert event.image.name.startswith("events/")
    english_url = event.get_absolute_url()
    french = read_head(client, english_url.replace("/en/", "/fr/", 1))
    assert french.meta["og:image:alt"] == "La salle"
    english = read_head(client, english_url)
    assert english.meta["og:image:alt"] == "The hall"


def test_an_event_image_needs_alt_text(itu):
    event = make_event()
    event.image = upload("hall.jpg", photo_bytes(400, 300))
    with pytest.raises(Exception, match="Describe the image"):
        event.full_clean()


def test_home_and_about_describe_the_founding_bodies(client, itu):
    Organisation.objects.create(name="World Standards Cooperation", short_name="WSC", slug="wsc")
    iso = Organisation.objects.create(
        name="International Organization for Standardization",
        short_name="ISO",
        slug="iso",
        website="https://www.iso.org/",
        founded_the_task_force=True,
    )
    for path in ("/en/", "/en/about/"):
        (data,) = read_head(client, path).json_ld
        bodies = data["@graph"]
        assert [body["alternateName"] for body in bodies] == ["ISO", "ITU"]
        for body in bodies:
            assert body["@type"] == "Organization"
            assert body["name"] and body["url"].startswith("https://")
        assert bodies[1]["@id"] == "http://testserver/en/organisations/itu/"
    assert iso.get_absolute_url() == "/en/organisations/iso/"


def test_every_page_links_the_feeds_a_favicon_and_its_own_address(client, itu):
    article = make_article()
    event = make_event()
    pages = ["/en/", "/en/about/", "/en/news/", "/en/quotes/", "/en/events/", "/en/organisations/"]
    pages += ["/en/organisations/itu/", article.get_absolute_url(), event.get_absolute_url()]
    for path in pages:
        reader = read_head(client, f"{path}?utm_source=x&fbclid=y")
        assert link(reader, "alternate", "application/rss+xml") == ["/en/news/feed/"], path
        assert link(reader, "alternate", "application/atom+xml") == ["/en/news/feed/atom/"], path
        assert link(reader, "canonical") == [f"http://testserver{path}"], path
        assert reader.meta["og:url"] == f"http://testserver{path}", path
        assert {attrs.get("type") for attrs in reader.links if attrs["rel"] == "icon"} == {
            "image/svg+xml",
            "image/png",
        }


def test_the_address_of_a_later_page_keeps_its_page_number_only(client):
    for n in range(11):
        make_article(title=f"Story {n}")
    reader = read_head(client, "/en/news/?page=2&utm_campaign=launch")
    assert link(reader, "canonical") == ["http://testserver/en/news/?page=2"]
    assert reader.meta["og:url"] == "http://testserver/en/news/?page=2"


def test_addresses_follow_the_host_and_scheme_of_the_request(client, settings):
    settings.ALLOWED_HOSTS = ["jtf.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/en/about/", HTTP_HOST="jtf.example.org", HTTP_X_FORWARDED_PROTO="https")
    reader = HeadReader()
    reader.feed(response.content.decode())
    assert link(reader, "canonical") == ["https://jtf.example.org/en/about/"]
    assert reader.meta["og:image"].startswith("https://jtf.example.org/static/")


def test_pages_without_an_image_share_the_site_card(client):
    reader = read_head(client, "/en/about/")
    assert reader.meta["og:image"] == "http://testserver/static/social-card.png"
    assert (reader.meta["og:image:width"], reader.meta["og:image:height"]) == ("1200", "630")
    assert reader.meta["og:image:alt"]
    assert reader.meta["twitter:card"] == "summary"
    with Image.open(finders.find("social-card.png")) as card:
        assert card.size == (1200, 630)


def test_an_article_shares_its_own_image_with_its_real_size(client):
    article = make_article(image=upload("stage.jpg", photo_bytes(800, 600)), image_alt="A stage")
    reader = read_head(client, article.get_absolute_url())
    assert reader.meta["og:image"].startswith("http://testserver/media/renditions/")
    assert (reader.meta["og:image:width"], reader.meta["og:image:height"]) == ("800", "600")
    assert reader.meta["og:image:alt"] == "A stage"
    assert reader.meta["twitter:card"] == "summary_large_image"
    assert reader.json_ld[0]["@type"] == "NewsArticle"


def test_the_card_and_favicon_are_the_drawings_as_they_now_are(settings):
    """The committed files are what draw_site_images makes: none was edited on its own."""
    pngs = ["social-card.png", "favicon-32.png"]
    for drawing, png in zip(drawings(settings.SITE_NAME), pngs, strict=True):
        assert Path(finders.find(f"{drawing.name}.svg")).read_text() == drawing.svg()
        with Image.open(finders.find(png)) as committed:
            assert committed.size == (drawing.width, drawing.height)
            assert committed.convert("RGBA").tobytes() == drawing.png().convert("RGBA").tobytes()


def test_an_embargoed_article_names_its_public_address_not_its_private_link(client):
    article = make_article(status="draft")
    link_ = EmbargoLink.objects.create(
        article=article, recipient="A journalist", expires_at=timezone.now() + timedelta(days=1)
    )
    reader = read_head(client, link_.get_absolute_url())
    public = f"http://testserver{article.get_absolute_url()}"
    assert link(reader, "canonical") == [public]
    assert reader.meta["og:url"] == public
