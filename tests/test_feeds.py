"""RSS and Atom feeds and the sitemap: published articles only, valid for readers."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from news.models import Article
from taskforce.models import Organisation
from tests.makers import make_article, make_person, make_quote, make_topic
from tests.sitemap_helpers import read_sitemap

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    topic = make_topic(name="Smart cities", slug="smart-cities")
    return {
        "live": make_article(title="Live story", summary="What happened.", topics=[topic]),
        "other": make_article(title="Other story"),
        "draft": make_article(title="Draft story", status=Article.Status.DRAFT, topics=[topic]),
        "scheduled": make_article(
            title="Scheduled story", publish_at=timezone.now() + timedelta(days=1), topics=[topic]
        ),
    }


@pytest.mark.parametrize(
    ("path", "version"), [("/en/news/feed/", "rss20"), ("/en/news/feed/atom/", "atom10")]
)
def test_news_feeds_are_valid_and_list_published_articles(client, articles, path, version):
    response = client.get(path)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    titles = [entry.title for entry in feed.entries]
    assert titles == ["Other story", "Live story"]
    live = feed.entries[1]
    assert live.link == "http://testserver" + articles["live"].get_absolute_url()
    assert live.summary == "What happened."
    assert [tag.term for tag in live.tags] == ["Smart cities"]
    assert live.published_parsed is not None


@pytest.mark.parametrize(
    ("path", "version"),
    [
        ("/en/news/topics/smart-cities/feed/", "rss20"),
        ("/en/news/topics/smart-cities/feed/atom/", "atom10"),
    ],
)
def test_topic_feeds_list_that_topics_published_articles(client, articles, path, version):
    feed = feedparser.parse(client.get(path).content)
    assert not feed.bozo
    assert feed.version == version
    assert "Smart cities" in feed.feed.title
    assert [entry.title for entry in feed.entries] == ["Live story"]


def test_feed_of_unknown_topic_is_404(client):
    assert client.get("/en/news/topics/nope/feed/").status_code == 404


def test_sitemap_lists_published_articles_topics_and_people_only(client, articles):
    person = make_person(slug="sergio-mujica")
    make_quote(person=person, article=articles["live"])
    hidden = make_person(slug="only-in-a-draft")
    make_quote(person=hidden, article=articles["draft"])
    xml = read_sitemap(client)
    base = "<loc>http://testserver"
    assert f"{base}{articles['live'].get_absolute_url()}</loc>" in xml
    assert f"{base}{articles['other'].get_absolute_url()}</loc>" in xml
    assert articles["draft"].get_absolute_url() not in xml
    assert articles["scheduled"].get_absolute_url() not in xml
    assert f"{base}/en/news/topics/smart-cities/</loc>" in xml
    assert f"{base}/en/people/sergio-mujica/</loc>" in xml
    assert "only-in-a-draft" not in xml
    assert f"{base}/en/about/</loc>" in xml
    assert "<lastmod>" in xml


@pytest.mark.parametrize("path", ["/en/news/feed/", "/en/news/feed/atom/"])
def test_feeds_carry_the_whole_article_cleaned_as_on_its_page(client, path):
    article = make_article(title="Full story", body="<p>First <strong>bold</strong> words.</p>")
    Article.objects.filter(pk=article.pk).update(
        body='<p>First <strong>bold</strong> words.</p><script>alert("x")</script>'
    )
    feed = feedparser.parse(client.get(path).content)
    assert not feed.bozo, feed.get("bozo_exception")
    (entry,) = feed.entries
    (content,) = entry.content
    assert content.value == "<p>First <strong>bold</strong> words.</p>"
    assert entry.summary == article.summary


def test_atom_entries_name_their_organisations_as_authors_or_else_the_site(client):
    itu = Organisation.objects.create(
        name="International Telecommunication Union",
        short_name="ITU",
        slug="itu",
        website="https://www.itu.int/",
    )
    iso = Organisation.objects.create(
        name="International Organization for Standardization", short_name="ISO", slug="iso"
    )
    make_article(title="By the site")
    make_article(title="By two bodies", organisations=[itu, iso])
    feed = feedparser.parse(client.get("/en/news/feed/atom/").content)
    assert not feed.bozo
    by_title = {entry.title: entry for entry in feed.entries}
    authors = by_title["By two bodies"].authors
    assert [author["name"] for author in authors] == [
        "International Organization for Standardization",
        "International Telecommunication Union",
    ]
    assert authors[1]["href"] == "https://www.itu.int/"
    assert [author["name"] for author in by_title["By the site"].authors] == [
        "Joint Task Force on smart cities"
    ]
