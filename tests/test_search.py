"""Search over published articles and public quotes, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

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
    response = client.get("/en/search/", {"q": "cities"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Joint Task Force on smart cities" in html
    assert "Cities are vibrant centres of business." in html
    assert "Resilient cities draft" not in html
    assert "Vulnerable cities in a draft." not in html
    assert 'value="cities"' in html


def test_search_matches_words_in_the_body_and_speaker_names(client, content):
    html = client.get("/en/search/", {"q": "humanity"}).content.decode()
    assert "Joint Task Force on smart cities" in html
    html = client.get("/en/search/", {"q": "Metzger"}).content.decode()
    assert "Cities are vibrant centres of business." in html


def test_search_with_no_match_says_so(client, content):
    html = client.get("/en/search/", {"q": "zeppelin"}).content.decode()
    assert "No news matches “zeppelin”." in html
    assert "No quotes match “zeppelin”." in html


@pytest.mark.parametrize("query", ["", "   ", "\x00", "'\"); DROP TABLE news_article; --", "&|!:*"])
def test_empty_or_odd_queries_never_fail(client, content, query):
    response = client.get("/en/search/", {"q": query})
    assert response.status_code == 200
    assert Article.objects.exists()


def test_very_long_query_gets_a_clear_message(client, content):
    response = client.get("/en/search/", {"q": "cities " * 100})
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


def stored_vector(instance):
    """The search vector PostgreSQL stored for this row, as text ('' when empty)."""
    return type(instance).objects.values_list("search_vector", flat=True).get(pk=instance.pk)


@postgres_only
def test_postgres_stores_each_articles_search_words_when_it_is_written():
    article = make_article(title="Resilient water", summary="Floods.", body="<p>Sensors.</p>")
    vector = stored_vector(article)
    assert "'resili':1A" in vector
    assert "'flood':3B" in vector
    assert "'sensor':4C" in vector

    article.title = "Energy networks"
    article.save()
    assert "'energi'" in stored_vector(article)
    assert "'resili'" not in stored_vector(article)

    [bulk] = Article.objects.bulk_create(
        [Article(title="Mobility data", slug="mobility-data", summary="S.", body="<p>B.</p>")]
    )
    assert "'mobil':1A" in stored_vector(bulk)


@postgres_only
def test_postgres_stores_each_quotes_words_and_speaker_when_it_is_written():
    person = make_person(name="Philippe Metzger")
    quote = make_quote(person=person, text="Vibrant centres of business.")
    assert "'vibrant':1A" in stored_vector(quote)
    assert "'metzger':6B" in stored_vector(quote)

    quote.text = "Resilient cities."
    quote.save()
    assert "'resili'" in stored_vector(quote)
    assert "'vibrant'" not in stored_vector(quote)

    [bulk] = Quote.objects.bulk_create([Quote(person=person, text="Open standards.")])
    assert "'open':1A" in stored_vector(bulk)
    assert "'metzger'" in stored_vector(bulk)

    person.name = "Sergio Mujica"
    person.save()
    assert "'mujica'" in stored_vector(quote)
    assert "'metzger'" not in stored_vector(quote)
    assert [q.text for q in Quote.objects.search("Mujica")] == ["Resilient cities.", bulk.text]


@postgres_only
def test_postgres_search_ranks_a_title_match_above_a_body_match_on_the_page(client):
    make_article(title="Annual report", body="<p>Interoperability of city data.</p>")
    make_article(title="Interoperability of city data", body="<p>Annual report.</p>")
    html = client.get("/en/search/", {"q": "interoperability"}).content.decode()
    assert html.index("Interoperability of city data</a>") < html.index("Annual report</a>")


@postgres_only
def test_postgres_search_ranks_only_the_latest_matches(monkeypatch):
    """A common word would otherwise rank the whole archive: only the latest few count."""
    monkeypatch.setattr("news.models.SEARCH_CANDIDATES", 2)
    now = timezone.now()
    oldest = make_article(title="Cities", publish_at=now - timedelta(days=3))
    older = make_article(body="<p>Cities.</p>", publish_at=now - timedelta(days=2))
    newest = make_article(body="<p>Cities.</p>", publish_at=now - timedelta(days=1))
    results = list(Article.objects.published().search("cities"))
    assert oldest not in results
    assert set(results) == {older, newest}

    person = make_person()
    make_quote(person=person, text="Cities first.")
    second = make_quote(person=person, text="Cities second.")
    third = make_quote(person=person, text="Cities third.")
    assert set(Quote.objects.public().search("cities")) == {second, third}


@postgres_only
def test_postgres_plans_each_search_for_its_own_words(client):
    """
    A plan made once for every word assumes each is rare and reads every match of a
    common one (35 ms for "cities" on the large archive instead of 1): searches stay
    planned for the words searched, even as prepared statements.
    """
    make_article(title="Cities")
    make_quote(person=make_person(), text="Cities first.")
    for words in ["cities", "standards", "cities", "water", "energy"] * 3:
        assert client.get("/en/search/", {"q": words}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%websearch_to_tsquery%%'"
        )
        plans = cursor.fetchall()
    assert len(plans) == 2
    assert all(generic == 0 and custom > 0 for generic, custom in plans)
