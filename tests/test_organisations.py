"""Organisation pages: what each body is, its people and their quotes, its events and news."""

import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

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


FIXTURES = sorted(str(path) for path in (settings.BASE_DIR / "fixtures").glob("*.json"))


@pytest.fixture
def release():
    call_command("loaddata", *FIXTURES, verbosity=0)


def structured_names(html):
    """Each schema.org Organization's name and alternateName, as the page's JSON-LD gives them."""
    found = {}

    def collect(node):
        if isinstance(node, dict):
            if node.get("@type") == "Organization" and "alternateName" in node:
                found[node["alternateName"]] = node["name"]
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    for data in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        collect(json.loads(data))
    return found


def test_french_pages_call_itu_uit_wherever_they_show_its_short_name(client, release):
    itu_fr = "Union internationale des télécommunications (UIT)"
    pages = {
        "/fr/organisations/itu/": [f"<h1>{itu_fr}</h1>"],
        "/fr/organisations/": [itu_fr],
        "/fr/news/itu-iso-iec-joint-task-force-smart-cities/": [
            '">UIT</abbr>',
            "de l\N{RIGHT SINGLE QUOTATION MARK}UIT</figcaption>",
        ],
        "/fr/people/chaesub-lee/": ["(UIT)"],
        "/fr/quotes/": ["(UIT)"],
        "/fr/events/world-smart-city-forum-2016/": [itu_fr],
        "/fr/events/past/": ["IEC, ISO, UIT"],
    }
    for path, shown in pages.items():
        html = client.get(path).content.decode()
        for text in shown:
            assert text in html, (path, text)
    french_home = client.get("/fr/").content.decode()
    assert structured_names(french_home)["UIT"] == "Union internationale des télécommunications"
    english_home = client.get("/en/").content.decode()
    assert structured_names(english_home)["ITU"] == "International Telecommunication Union"
    english = client.get("/en/organisations/itu/").content.decode()
    assert "<h1>International Telecommunication Union (ITU)</h1>" in english
    assert "IEC, ISO, ITU" in client.get("/en/events/past/").content.decode()


def test_an_abbreviation_finds_its_people_in_either_language(client, release):
    for language, abbreviation in [("fr", "UIT"), ("fr", "ITU"), ("en", "ITU")]:
        html = client.get(f"/{language}/search/", {"q": abbreviation, "kind": "people"})
        assert "Chaesub Lee" in html.content.decode(), (language, abbreviation)


# The organisation admin's website field warns that Django 6 will assume https; the
# tests below are about the short names.
URLFIELD_SCHEME = (
    "ignore:The default scheme will be changed:django.utils.deprecation.RemovedInDjango60Warning"
)


@pytest.mark.filterwarnings(URLFIELD_SCHEME)
def test_organisations_left_without_a_french_short_name_never_collide(admin_client):
    for name, short in [("Telecom Union", "TU"), ("Zed Body", "ZB")]:
        response = admin_client.post(
            "/admin/taskforce/organisation/add/",
            {
                "name_en": name,
                "name_fr": "",
                "short_name_en": short,
                "short_name_fr": "",
                "slug": short.lower(),
                "website": "",
                "description_en": "",
                "description_fr": "",
            },
        )
        assert response.status_code == 302, response.content.decode()
    blank = Organisation.objects.filter(slug__in=["tu", "zb"])
    assert list(blank.values_list("short_name_fr", "name_fr")) == [(None, None), (None, None)]
    with translation.override("fr"):
        assert sorted(str(organisation) for organisation in blank) == ["TU", "ZB"]


@pytest.mark.filterwarnings(URLFIELD_SCHEME)
def test_two_organisations_cannot_share_a_french_short_name(admin_client):
    Organisation.objects.create(
        name="Telecom Union", short_name="TU", short_name_fr="UT", slug="tu"
    )
    response = admin_client.post(
        "/admin/taskforce/organisation/add/",
        {"name_en": "Other", "short_name_en": "OU", "short_name_fr": "UT", "slug": "ou"},
    )
    assert response.status_code == 200
    assert Organisation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_short_name_as_its_english():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("taskforce", "0004_labels_in_each_language")]
    after = [("taskforce", "0005_organisation_short_name_in_english_and_french")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("taskforce", "Organisation")
    old.objects.create(name="International Telecommunication Union", short_name="ITU", slug="itu")
    old.objects.create(name="Other body", short_name="OB", slug="ob")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = Organisation.objects.order_by("slug").values_list(
        "short_name", "short_name_en", "short_name_fr"
    )
    assert list(rows) == [("ITU", "ITU", None), ("OB", "OB", None)]
