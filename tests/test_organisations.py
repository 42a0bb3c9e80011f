"""Organisation pages: what each body is, its people and their quotes, its events and news."""

import pytest
from django.core.management import call_command

from taskforce.models import Organisation
from tests.events_helpers import make_event
from tests.makers import make_article, make_person, make_quote
from tests.sitemap_helpers import read_sitemap

pytestmark = pytest.mark.django_db


@pytest.fixture
def iso():
    return Organisation.objects.create(
        name="International Organization for Standardization",
        short_name="ISO",
        slug="iso",
        website="https://www.iso.org/",
        description="An independent, non-governmental international organization.",
    )


def test_an_organisation_page_shows_its_people_quotes_events_and_news(client, iso):
    other = Organisation.objects.create(name="Other body", short_name="OB", slug="ob")
    sergio = make_person(name="Sergio Mujica", role="Secretary-General", organisation=iso)
    quoted_in = make_article(title="Cities rethink")
    make_quote(person=sergio, article=quoted_in, text="A huge opportunity.")
    make_article(title="Named the body", organisations=[iso])
    make_article(title="Unrelated story", organisations=[other])
    make_quote(person=sergio, article=make_article(title="Draft story", status="draft"))
    make_event(title="Standards week").organisers.add(iso)
    make_event(title="Someone else's event").organisers.add(other)
    html = client.get("/en/organisations/iso/").content.decode()
    assert "<h1>International Organization for Standardization (ISO)</h1>" in html
    assert "An independent, non-governmental international organization." in html
    assert f'<a href="{sergio.get_absolute_url()}">Sergio Mujica</a>' in html
    assert "A huge opportunity." in html
    assert "Standards week" in html and "Someone else" not in html
    assert "Cities rethink" in html and "Named the body" in html
    assert "Unrelated story" not in html and "Draft story" not in html
    assert '<a href="https://www.iso.org/">' in html


def test_an_organisation_with_nothing_yet_says_so(client, iso):
    html = client.get("/en/organisations/iso/").content.decode()
    assert "No upcoming events organised by ISO." in html
    assert "No news about ISO yet." in html


def test_news_on_an_organisation_page_pages_through_and_unknown_pages_are_404(client, iso):
    for n in range(11):
        make_article(title=f"Story {n:02}", organisations=[iso])
    first = client.get("/en/organisations/iso/").content.decode()
    assert '<a href="?page=2" rel="next">' in first
    assert "Story 00" not in first
    assert "Story 00" in client.get("/en/organisations/iso/?page=2").content.decode()
    assert client.get("/en/organisations/iso/?page=3").status_code == 404
    assert client.get("/en/organisations/nobody/").status_code == 404


def test_the_index_lists_every_organisation_and_the_sitemap_has_them(client, iso):
    html = client.get("/en/organisations/").content.decode()
    assert (
        '<a href="/en/organisations/iso/">International Organization for Standardization (ISO)'
        in html
    )
    xml = read_sitemap(client)
    assert "<loc>http://testserver/en/organisations/iso/</loc>" in xml
    assert "<loc>http://testserver/en/organisations/</loc>" in xml


def test_editing_the_description_renews_the_cached_page(client, iso, settings):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_REFRESH_SECONDS = 0
    assert "non-governmental" in client.get("/en/organisations/iso/").content.decode()
    assert client.get("/en/organisations/iso/")["X-Page-Cache"] == "hit"
    iso.description = "Develops International Standards through its national members."
    iso.save()
    response = client.get("/en/organisations/iso/")
    assert "through its national members" in response.content.decode()


def test_the_release_describes_itu_iso_and_iec(client):
    call_command("load_release", verbosity=0)
    for slug in ("itu", "iso", "iec"):
        organisation = Organisation.objects.get(slug=slug)
        assert organisation.description and organisation.founded_the_task_force
        assert organisation.description in client.get(f"/en/organisations/{slug}/").content.decode()
    assert not Organisation.objects.get(slug="wsc").founded_the_task_force
