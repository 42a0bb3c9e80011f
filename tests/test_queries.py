"""Each public page runs a small, fixed number of queries, however much content there is."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from taskforce.models import Organisation
from tests.editing import photo_bytes, upload
from tests.makers import make_article, make_person, make_quote, make_topic

pytestmark = pytest.mark.django_db

PAGES = {
    # Latest articles, featured quotes, upcoming events (with their organisers, in one
    # more query on SQLite), and the founding bodies for the structured data.
    "/en/": 5,
    "/en/about/": 1,
    # A page of articles, one more to know whether an older page follows: no count.
    "/en/news/": 1,
    # The topic, then a page of its articles.
    "/en/news/topics/smart-cities/": 2,
    "/en/news/{article}/": 5,
    # The event, its organisers, its confirmed registrations counted for the seats left.
    "/en/events/{event}/": 3,
    "/en/organisations/": 1,
    # The organisation, its people with the ids of their first quotes, those quotes,
    # its upcoming events (seats counted in the same query), a page of its news.
    "/en/organisations/org/": 5,
    # A page of people with the ids of their first quotes, then those quotes.
    "/en/quotes/": 2,
    # The person, then their quotes (a count and a page).
    "/en/people/speaker-0/": 3,
    "/en/people/speaker-0/?page=2": 3,
    # The years to choose from, then the best few and the count of each kind.
    "/en/search/?q=cities": 5,
    # The years, then a page of one kind with its count.
    "/en/search/?q=cities&kind=news": 2,
    "/en/search/?q=cities&kind=quotes&year={year}": 2,
    # The topics that have news.
    "/en/news/topics/": 1,
    "/en/news/feed/": 5,
    "/en/news/feed/atom/": 5,
    "/en/news/topics/smart-cities/feed/": 5,
    # The index: one summary (size, latest change) per section stored in the database.
    "/sitemap.xml": 5,
    # A section page: its summary, then a page of items.
    "/sitemap-news.xml": 2,
    "/sitemap-topics.xml": 2,
    "/sitemap-people.xml": 2,
    "/sitemap-organisations.xml": 2,
}


def build_site(count):
    """A site written in English and French, so that each language's pages show as much."""
    topic = make_topic(name="Smart cities", name_fr="Villes intelligentes", slug="smart-cities")
    organisation = Organisation.objects.create(
        name="Org", name_fr="Org", short_name="ORG", slug="org"
    )
    people = [make_person(slug=f"speaker-{n}", organisation=organisation) for n in range(3)]
    articles = [
        make_article(
            title=f"Smart cities {n}",
            title_fr=f"Villes intelligentes {n}",
            summary_fr="Des villes.",
            body_fr="<p>Les villes (cities).</p>",
            topics=[topic],
            organisations=[organisation],
        )
        for n in range(count)
    ]
    for n, article in enumerate(articles):
        make_quote(
            person=people[n % 3],
            article=article,
            text=f"Cities quote {n}.",
            text_fr=f"Citation sur les villes (cities) {n}.",
            featured=True,
        )
    for n in range(20):  # enough for a second page of speaker-0's quotes
        make_quote(person=people[0], text=f"Standalone quote {n}.", text_fr=f"Citation seule {n}.")
    event = Event.objects.create(
        title="Workshop",
        title_fr="Atelier",
        summary_fr="Un atelier.",
        slug="workshop",
        summary="A workshop.",
        start=timezone.now() + timedelta(days=3),
        end=timezone.now() + timedelta(days=3, hours=2),
        capacity=50,
        status=Event.Status.PUBLISHED,
    )
    event.organisers.add(organisation)
    return articles[0]


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(("path", "limit"), PAGES.items())
def test_page_runs_the_same_few_queries_with_3_or_300_articles(
    client, django_assert_max_num_queries, path, limit, language
):
    """In each language: a French page costs what its English one does."""
    article = build_site(3)
    path = path.format(article=article.slug, event="workshop", year=timezone.localdate().year)
    path = path.replace("/en/", f"/{language}/")
    with_few = count_queries(client, path)
    build_more = 297
    for n in range(build_more):
        more = make_article(
            title=f"More smart cities {n}",
            title_fr=f"Encore des villes intelligentes {n}",
            topics=[article.topics.get()],
        )
        make_quote(
            person=article.quotes.first().person, article=more, featured=True, text_fr="Citation."
        )
    with django_assert_max_num_queries(limit):
        with_many = count_queries(client, path)
    assert with_few == with_many


def test_an_article_with_an_image_runs_the_same_queries(client, django_assert_max_num_queries):
    """Renditions are made on upload: the page only computes their addresses."""
    article = build_site(3)
    path = f"/en/news/{article.slug}/"
    without_image = count_queries(client, path)
    article.image = upload("stage.jpg", photo_bytes(1600, 1200))
    article.image_alt = "A stage"
    article.save()
    with django_assert_max_num_queries(PAGES["/en/news/{article}/"]):
        with_image = count_queries(client, path)
    assert with_image == without_image
    assert 'type="image/webp"' in client.get(path).content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are a PostgreSQL feature"
)
def test_a_page_visited_again_reuses_its_planned_statements(client):
    """Parsing and planning a query can cost more than running it; a busy page pays once."""
    build_site(3)
    for _ in range(10):
        assert client.get("/en/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "news_article"' in statement for statement in prepared)
    assert any('FROM "quotes_quote"' in statement for statement in prepared)


def rows_read_and_discarded(queryset):
    """Rows PostgreSQL read to run `queryset` and then threw away (EXPLAIN ANALYZE)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {queryset.model._meta.db_table}")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes = [plan[0]["Plan"]]
    discarded = 0
    while nodes:
        node = nodes.pop()
        discarded += node.get("Rows Removed by Filter", 0)
        nodes.extend(node.get("Plans", []))
    return discarded


def make_events(days_from_now, now):
    Event.objects.bulk_create(
        Event(
            title=f"Workshop {days}",
            slug=f"workshop-{days}",
            summary="A workshop.",
            start=now + timedelta(days=days),
            end=now + timedelta(days=days, hours=2),
            status=Event.Status.PUBLISHED,
        )
        for days in days_from_now
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="reads the plan PostgreSQL runs (EXPLAIN ANALYZE)"
)
@pytest.mark.parametrize("shown", [3, 20])
def test_upcoming_events_are_read_without_reading_every_past_event(shown):
    """The events list and the home page stay fast as years of past events pile up."""
    now = timezone.now()
    make_events(range(1, 101), now)
    make_events(range(-1000, 0), now)
    upcoming = Event.objects.public().upcoming()[:shown]
    expected = [f"workshop-{days}" for days in range(1, shown + 1)]
    assert [event.slug for event in upcoming] == expected
    assert rows_read_and_discarded(upcoming) == 0
