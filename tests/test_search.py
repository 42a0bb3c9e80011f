"""Search over published articles and public quotes, on SQLite and PostgreSQL."""

import pytest
from django.db import connection

from news.models import Article
from quotes.models import Quote
from tests.makers import make_article, make_person, make_quote

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search with ranking needs PostgreSQL"
)


@pytest.fixture
def content():
    launch = make_article(
        title="Joint Task Force on smart cities",
        summary="Standards bodies join forces.",
        body="<p>Cities are home to half of humanity.</p>",
    )
    make_article(title="Resilient cities draft", status=Article.Status.DRAFT)
    metzger = make_person(name="Philippe Metzger")
    make_quote(person=metzger, text="Cities are vibrant centres of business.", article=launch)
    make_quote(person=metzger, text="Vulnerable cities in a draft.", article=make_article(
        title="Unrelated draft", status=Article.Status.DRAFT))  # fmt: skip
    return launch


def test_search_finds_published_articles_and_public_quotes(client, content):
    response = client.get("/search/", {"q": "cities"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Joint Task Force on smart cities" in html
    assert "Cities are vibrant centres of business." in html
    assert "Resilient cities draft" not in html
    assert "Vulnerable cities in a draft." not in html
    assert 'value="cities"' in html


def test_search_matches_words_in_the_body_and_speaker_names(client, content):
    html = client.get("/search/", {"q": "humanity"}).content.decode()
    assert "Joint Task Force on smart cities" in html
    html = client.get("/search/", {"q": "Metzger"}).content.decode()
    assert "Cities are vibrant centres of business." in html


def test_search_with_no_match_says_so(client, content):
    html = client.get("/search/", {"q": "zeppelin"}).content.decode()
    assert "No news matches “zeppelin”." in html
    assert "No quotes match “zeppelin”." in html


@pytest.mark.parametrize("query", ["", "   ", "\x00", "'\"); DROP TABLE news_article; --", "&|!:*"])
def test_empty_or_odd_queries_never_fail(client, content, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert Article.objects.exists()


def test_very_long_query_gets_a_clear_message(client, content):
    response = client.get("/search/", {"q": "cities " * 100})
    assert response.status_code == 200
    assert "That search is too long" in response.content.decode()


def test_search_queryset_methods_apply_to_any_queryset(content):
    assert list(Article.objects.published().search("humanity")) == [content]
    assert [quote.text for quote in Quote.objects.public().search("vibrant")] == [
        "Cities are vibrant centres of business."
    ]


@postgres_only
def test_postgres_search_ranks_title_matches_first_and_stems_words():
    body_match = make_article(title="Annual report", body="<p>Standards for cities.</p>")
    title_match = make_article(title="Standards for cities", body="<p>Annual report.</p>")
    results = list(Article.objects.published().search("city standard"))
    assert results == [title_match, body_match]
    assert results[0].rank > results[1].rank


@postgres_only
def test_postgres_search_understands_web_search_syntax():
    make_article(title="Smart cities and COVID-19")
    make_article(title="Smart cities and climate")
    titles = [a.title for a in Article.objects.published().search('"smart cities" -covid')]
    assert titles == ["Smart cities and climate"]
