"""Content in English and French: what a French reader sees, what editors write."""

import re

import pytest
from django.db import connection
from django.utils import translation

from news.models import Article
from tests.editing import article_form
from tests.events_helpers import make_event
from tests.makers import make_article, make_person, make_quote
from tests.sitemap_helpers import read_sitemap

NOT_YET = "Ce texte n\N{RIGHT SINGLE QUOTATION MARK}est pas encore disponible en français"


@pytest.fixture
def bilingual(db):
    return make_article(
        slug="bilingual",
        title="Cities meet",
        title_fr="Les villes se réunissent",
        summary="Standards for cities.",
        summary_fr="Des normes pour les villes.",
        body="<p>In English.</p>",
        body_fr="<p>En français.</p>",
    )


@pytest.fixture
def english_only(db):
    return make_article(slug="english-only", title="Only in English", summary="Not yet.")


def test_a_french_page_shows_the_french_text(client, bilingual):
    with translation.override("fr"):
        html = client.get(bilingual.get_absolute_url()).content.decode()
    assert "<h1>Les villes se réunissent</h1>" in html
    assert "En français." in html and "In English." not in html
    assert NOT_YET not in html
    assert '<article class="wrap prose">' in html


def test_a_french_page_without_french_shows_the_english_marked_and_says_so(client, english_only):
    with translation.override("fr"):
        html = client.get(english_only.get_absolute_url()).content.decode()
    assert '<article class="wrap prose" lang="en">' in html
    assert "<h1>Only in English</h1>" in html
    assert f'<p class="notice" lang="fr">{NOT_YET}</p>' in html


def test_an_english_page_needs_no_note(client, english_only):
    html = client.get(english_only.get_absolute_url()).content.decode()
    assert NOT_YET not in html
    assert '<article class="wrap prose">' in html


def test_a_quote_without_french_is_marked_english(client, bilingual):
    make_quote(article=bilingual, text="Standards matter.", person=make_person())
    make_quote(article=bilingual, text="In English.", text_fr="Les normes comptent.")
    with translation.override("fr"):
        html = client.get(bilingual.get_absolute_url()).content.decode()
    assert '<blockquote class="quote" lang="en"><p>Standards matter.</p>' in html
    assert '<blockquote class="quote"><p>Les normes comptent.</p>' in html


def test_an_editor_saves_a_french_title_and_french_is_optional(editor_client, english_only):
    response = editor_client.post(
        f"/admin/news/article/{english_only.pk}/change/", article_form(english_only)
    )
    assert response.status_code == 302, response.context["errors"]
    english_only.refresh_from_db()
    assert not english_only.has_translation("fr")

    data = article_form(english_only, title_fr="Seulement en anglais", summary_fr="Pas encore.")
    response = editor_client.post(f"/admin/news/article/{english_only.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"]
    english_only.refresh_from_db()
    assert (english_only.title_en, english_only.title_fr) == (
        "Only in English",
        "Seulement en anglais",
    )
    assert english_only.has_translation("fr")


def test_the_admin_form_shows_both_languages_and_requires_english(editor_client, english_only):
    html = editor_client.get(f"/admin/news/article/{english_only.pk}/change/").content.decode()
    assert 'name="title_en"' in html and 'name="title_fr"' in html
    response = editor_client.post(
        f"/admin/news/article/{english_only.pk}/change/",
        article_form(english_only, title="", title_fr="Un titre"),
    )
    assert response.status_code == 200
    assert "title_en" in response.context["adminform"].form.errors


def test_the_french_feed_lists_only_what_is_written_in_french(client, bilingual, english_only):
    feed = client.get("/fr/news/feed/").content.decode()
    assert "Les villes se réunissent" in feed
    assert "Only in English" not in feed
    english = client.get("/en/news/feed/").content.decode()
    assert "Cities meet" in english and "Only in English" in english


def test_the_french_sitemap_lists_only_what_is_written_in_french(client, bilingual, english_only):
    sitemap = read_sitemap(client)
    assert "/fr/news/bilingual/" in sitemap and "/en/news/bilingual/" in sitemap
    assert "/en/news/english-only/" in sitemap
    assert "/fr/news/english-only/" not in sitemap


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="text search configurations are PostgreSQL's"
)
def test_french_search_reads_french_with_french_stemming(client, bilingual, english_only):
    Article.objects.filter(pk=bilingual.pk).update(
        body_fr="<p>Les normes internationales aident les villes intelligentes.</p>"
    )
    french = client.get("/fr/search/", {"q": "normes internationale"}).content.decode()
    not_french = client.get("/fr/search/", {"q": "english"}).content.decode()
    assert "Les villes se réunissent" in french  # "internationale" stems as "internationales"
    assert "Only in English" not in not_french
    english = client.get("/en/search/", {"q": "english"}).content.decode()
    assert "Only in English" in english


@pytest.mark.django_db
def test_an_event_without_french_is_marked_english_in_lists_and_on_its_page(client):
    english_only = make_event(title="Webinar on data", summary="An hour on open data.")
    french = make_event(
        title="Forum",
        title_fr="Forum des villes",
        summary_fr="Une journée.",
        venue_name_fr="Centre international de conférences de Genève",
    )
    listed = client.get("/fr/events/").content.decode()
    assert re.search(r'<h2 lang="en"><a href="[^"]+">Webinar on data</a>', listed)
    assert '<p lang="en">An hour on open data.</p>' in listed
    assert re.search(r'<h2><a href="[^"]+">Forum des villes</a>', listed)

    page = client.get(f"/fr/events/{english_only.slug}/").content.decode()
    assert "Ce texte n’est pas encore disponible en français" in page  # noqa: RUF001
    assert '<h1 lang="en">Webinar on data</h1>' in page
    # The interface around it stays French, read with a French voice.
    assert re.search(r'<dl class="facts">\s*<dt>Quand</dt>', page)
    translated = client.get(f"/fr/events/{french.slug}/").content.decode()
    assert 'lang="en"' not in translated[translated.index("<main") :]
