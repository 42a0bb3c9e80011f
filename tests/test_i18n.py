"""English and French: addresses per language, redirects, the switcher, dates and the catalogue."""

import os
import re
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from taskforce.models import Organisation
from tests.events_helpers import make_event
from tests.makers import make_article
from tests.sitemap_helpers import read_sitemap
from tests.typography import EN_DASH, NBSP, NNBSP, at

pytestmark = pytest.mark.django_db

CATALOGUE = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("fr-CH, fr;q=0.9, en;q=0.8", "/fr/news/"), ("en-GB,en", "/en/news/"), ("de", "/en/news/")],
)
def test_an_unprefixed_address_goes_to_the_browsers_language(client, accept_language, expected):
    response = client.get("/news/", headers={"Accept-Language": accept_language})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert "Accept-Language" in response["Vary"]


def test_without_a_preference_the_visitor_gets_english(client):
    assert client.get("/")["Location"] == "/en/"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/news/?utm_source=mail", "/fr/news/?utm_source=mail"),
        ("/search/?q=cities", "/fr/search/?q=cities"),
        ("/events/calendar.ics", "/fr/events/calendar.ics"),
        ("/news/feed/", "/fr/news/feed/"),
        ("/about", "/fr/about/"),
    ],
)
def test_old_links_keep_working_with_their_query(client, old, new):
    response = client.get(old, headers={"Accept-Language": "fr"}, follow=True)
    assert response.redirect_chain[-1][0] == new
    assert response.status_code == 200


def test_old_links_to_an_event_calendar_file_still_give_the_file(client):
    event = make_event()
    response = client.get(f"/events/{event.slug}/calendar.ics", follow=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")


@pytest.mark.parametrize("path", ["/healthz", "/robots.txt", "/sitemap.xml", "/admin/login/"])
def test_site_wide_addresses_have_no_language(client, path):
    assert client.get(path).status_code == 200
    assert client.get(f"/fr{path}").status_code == 404


def test_the_admin_speaks_the_staff_members_browser_language(client):
    html = client.get("/admin/login/", headers={"Accept-Language": "fr"}).content.decode()
    assert '<html lang="fr"' in html
    assert "Nom d\N{RIGHT SINGLE QUOTATION MARK}utilisateur" in html


def test_a_french_page_is_french_and_names_its_english_version(client):
    article = make_article(slug="launch")
    response = client.get(f"/fr/news/{article.slug}/")
    html = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    assert "Toutes les actualités" in html
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/news/launch/">' in html
    assert '<link rel="alternate" hreflang="fr" href="http://testserver/fr/news/launch/">' in html
    assert (
        '<link rel="alternate" hreflang="x-default" href="http://testserver/news/launch/">' in html
    )


def test_the_switcher_leads_to_the_same_page_in_the_other_language(client):
    article = make_article(slug="launch")
    english = client.get(f"/en/news/{article.slug}/").content.decode()
    assert (
        '<a href="http://testserver/fr/news/launch/" hreflang="fr" lang="fr" rel="alternate">'
        "Français</a>"
    ) in english
    assert '<span aria-current="true" lang="en">English</span>' in english
    french = client.get(f"/fr/news/{article.slug}/").content.decode()
    assert 'href="http://testserver/en/news/launch/" hreflang="en"' in french


def test_the_switcher_keeps_the_page_number(client):
    for number in range(25):
        make_article(slug=f"story-{number}")
    html = client.get("/en/news/?page=2").content.decode()
    assert 'href="http://testserver/fr/news/?page=2" hreflang="fr"' in html


def test_the_switcher_keeps_what_was_searched_and_nothing_else(client):
    response = client.get("/fr/search/?q=villes&kind=news&utm_source=newsletter")
    assert switcher_link(response, "en") == ("http://testserver/en/search/?q=villes&amp;kind=news")


def test_a_page_not_found_speaks_the_browsers_language(client):
    response = client.get("/no-such-page/", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def switcher_link(response, language):
    """Where the language switcher's link to `language` leads."""
    html = response.content.decode()
    switcher = html[html.index('<nav class="language-switcher"') :]
    return re.search(rf'<a href="([^"]+)" hreflang="{language}"', switcher)[1]


def test_the_switcher_on_a_page_not_found_leads_to_the_page_not_found_in_the_other_language(
    client,
):
    english = client.get("/en/news/nope/")
    assert english.status_code == 404
    assert switcher_link(english, "fr") == "http://testserver/fr/news/nope/"
    french = client.get("/fr/news/nope/")
    assert french.status_code == 404
    assert "Page introuvable" in french.content.decode()
    assert switcher_link(french, "en") == "http://testserver/en/news/nope/"
    unprefixed = client.get("/no-such-page/", headers={"Accept-Language": "fr"})
    assert switcher_link(unprefixed, "en") == "http://testserver/en/no-such-page/"


def test_the_switcher_on_a_forbidden_form_and_too_many_requests_keeps_the_address(client, settings):
    event = make_event(slug="forum")
    form = {"name": "Ada", "email": "ada@example.org", "consent": "on"}
    headers = {"Sec-Fetch-Site": "cross-site"}
    forbidden = client.post("/fr/events/forum/register/", form, headers=headers)
    assert forbidden.status_code == 403
    assert switcher_link(forbidden, "en") == "http://testserver/en/events/forum/register/"
    settings.REGISTRATION_RATE_LIMIT = "1/5m"
    client.post(f"/en/events/{event.slug}/register/", form)
    limited = client.post(f"/en/events/{event.slug}/register/", form)
    assert limited.status_code == 429
    assert switcher_link(limited, "fr") == "http://testserver/fr/events/forum/register/"
    admin = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    assert admin.status_code == 403
    assert switcher_link(admin, "fr") == "http://testserver/admin/login/"


def test_the_server_error_page_speaks_the_pages_language_and_switches(client, settings):
    settings.ROOT_URLCONF = "tests.urls_error"
    client.raise_request_exception = False
    response = client.get("/fr/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "secret detail" not in html
    assert switcher_link(response, "en") == "http://testserver/en/broken/"


def test_the_page_cache_keeps_each_language_apart(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    french = client.get("/fr/about/")
    english = client.get("/en/about/")
    assert (french["X-Page-Cache"], english["X-Page-Cache"]) == ("miss", "miss")
    again = client.get("/fr/about/", headers={"Accept-Language": "en"})
    assert again["X-Page-Cache"] == "hit"
    assert again["Content-Language"] == "fr"
    about_us = "À propos du Groupe d\N{RIGHT SINGLE QUOTATION MARK}action conjoint"
    assert about_us in again.content.decode()
    assert "Accept-Language" not in again.get("Vary", "")
    assert client.get("/en/about/").content == english.content


@pytest.mark.parametrize("path", ["/robots.txt", "/sitemap.xml", "/sitemap-organisations.xml"])
def test_site_wide_files_are_one_for_every_language_whoever_asks_first(client, settings, path):
    settings.PAGE_CACHE_SECONDS = 60
    Organisation.objects.create(name="Telecom Union", short_name="TU", slug="tu")
    Organisation.objects.create(name="Zed Body", name_fr="Corps", short_name="ZB", slug="zb")
    french_first = client.get(path, headers={"Accept-Language": "fr"})
    english_next = client.get(path, headers={"Accept-Language": "en"})
    assert (french_first["X-Page-Cache"], english_next["X-Page-Cache"]) == ("miss", "hit")
    for response in (french_first, english_next):
        assert response.status_code == 200
        assert "Content-Language" not in response
        assert "Accept-Language" not in response.get("Vary", "")
    cache.clear()
    english_first = client.get(path, headers={"Accept-Language": "en"})
    assert english_first["X-Page-Cache"] == "miss"
    assert english_first.content == french_first.content


def test_an_unprefixed_redirect_is_never_cached(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    assert client.get("/about/", headers={"Accept-Language": "fr"})["Location"] == "/fr/about/"
    assert client.get("/about/", headers={"Accept-Language": "en"})["Location"] == "/en/about/"


def test_event_times_are_written_as_each_language_writes_them():
    zone = ZoneInfo("Europe/Paris")
    event = make_event(
        start=datetime(2020, 10, 14, 14, 0, tzinfo=zone),
        end=datetime(2020, 10, 14, 15, 30, tzinfo=zone),
    )
    with translation.override("fr"):
        french = f"mercredi 14 octobre 2020, {at(14)}{EN_DASH}{at(15, 30)} CEST (Europe/Paris)"
        assert event.when == french
        assert event.moment(event.start) == f"mercredi 14 octobre 2020, {at(14)} CEST"
    with translation.override("en"):
        assert event.when == "Wednesday 14 October 2020, 14:00\N{EN DASH}15:30 CEST (Europe/Paris)"


def test_event_pages_show_dates_and_seats_in_french(client):
    zone = ZoneInfo("Europe/Paris")
    start = datetime(2030, 10, 16, 9, 0, tzinfo=zone)
    event = make_event(start=start, end=start.replace(hour=11), capacity=2)
    html = client.get(reverse("events:detail", kwargs={"slug": event.slug}).replace("/en/", "/fr/"))
    text = html.content.decode()
    assert f"mercredi 16 octobre 2030, {at(9)}" in text
    assert "2 places restantes" in text
    assert "S\N{RIGHT SINGLE QUOTATION MARK}inscrire" in text


def test_the_sitemap_lists_every_page_in_both_languages(client):
    xml = read_sitemap(client)
    assert "<loc>http://testserver/en/about/</loc>" in xml
    assert "<loc>http://testserver/fr/about/</loc>" in xml
    assert 'hreflang="fr" href="http://testserver/fr/about/"' in xml
    assert 'hreflang="x-default" href="http://testserver/about/"' in xml


def test_a_long_sitemap_section_pages_through_both_languages(client, settings, monkeypatch):
    from news.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 3)
    articles = [
        make_article(slug=f"story-{number}", title_fr=f"Article {number}") for number in range(4)
    ]
    make_article(slug="only-in-english")
    pages = [client.get(f"/sitemap-news.xml?p={page}").content.decode() for page in (1, 2, 3, 4)]
    listed = "".join(pages)
    for article in articles:
        assert listed.count(f"<loc>http://testserver/en/news/{article.slug}/</loc>") == 1
        assert listed.count(f"<loc>http://testserver/fr/news/{article.slug}/</loc>") == 1
    assert "/en/news/only-in-english/" in listed
    assert "/fr/news/only-in-english/" not in listed
    assert client.get("/sitemap-news.xml?p=5").status_code == 404


def extracted_messages(tmp_path):
    """What makemessages finds in the code and templates now, as a fresh French catalogue."""
    if not shutil.which("xgettext"):
        reason = "gettext's xgettext is not installed (apt-get install gettext)"
        if os.environ.get("CI"):
            pytest.fail(f"The catalogue check must run in CI: {reason}")
        pytest.skip(reason)
    source = tmp_path / "source"
    shutil.copytree(
        settings.BASE_DIR,
        source,
        ignore=shutil.ignore_patterns(
            ".*", "locale", "media", "staticfiles", "fixtures", "tests", "__pycache__", "*.sqlite3*"
        ),
    )
    (source / "locale").mkdir()
    cwd = os.getcwd()
    os.chdir(source)
    try:
        with translation.override(None):
            settings.LOCALE_PATHS = [source / "locale"]
            call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    with open(source / "locale" / "fr" / "LC_MESSAGES" / "django.po", "rb") as file:
        return read_po(file)


def test_every_marked_string_is_in_the_french_catalogue(tmp_path, settings):
    with open(CATALOGUE, "rb") as file:
        committed = read_po(file)
    found = {(message.id, message.context) for message in extracted_messages(tmp_path)}
    kept = {(message.id, message.context) for message in committed}
    missing = sorted(map(str, found - kept))
    assert not missing, (
        f"Not in {CATALOGUE.name}: run `make messages` and translate:\n" + "\n".join(missing)
    )
    unused = sorted(map(str, kept - found))
    assert not unused, "No longer marked anywhere: run `make messages`:\n" + "\n".join(unused)


def test_every_french_translation_is_done_and_not_fuzzy():
    with open(CATALOGUE, "rb") as file:
        catalogue = read_po(file)
    untranslated = [
        message.id
        for message in catalogue
        if message.id
        and (message.fuzzy or not all(message.string if message.pluralizable else [message.string]))
    ]
    assert not untranslated, "Translate (and unmark fuzzy):\n" + "\n".join(map(str, untranslated))


def test_the_search_page_speaks_french(client):
    html = client.get("/fr/search/", {"q": "zeppelin", "year": "zzz"}).content.decode()
    assert f"0 résultat pour «{NNBSP}zeppelin{NNBSP}»." in html
    assert f"Rien ne date de «{NNBSP}zzz{NNBSP}»{NBSP}: toutes les années sont affichées." in html
    assert f"Aucun résultat parmi les citations pour «{NNBSP}zeppelin{NNBSP}»." in html


def test_event_managers_see_the_admins_own_actions_in_their_language(client, event_manager):
    make_event()
    html = client.get("/admin/events/event/", headers={"Accept-Language": "fr"}).content.decode()
    assert "Publier les événements sélectionnés" in html
    assert "Annuler les événements sélectionnés…" in html
