"""Articles: what the public sees and when, safe rich text, and the news pages."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from news.models import Article
from news.sanitize import sanitize_html
from taskforce.models import Organisation
from tests.makers import make_article, make_topic
from tests.sitemap_helpers import read_sitemap

pytestmark = pytest.mark.django_db

NOON = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


@time_machine.travel(NOON, tick=False)
def test_published_excludes_drafts_and_scheduled_articles():
    live = make_article(publish_at=NOON - timedelta(minutes=1))
    due_now = make_article(publish_at=NOON)
    make_article(status=Article.Status.DRAFT, publish_at=NOON - timedelta(days=1))
    make_article(publish_at=NOON + timedelta(minutes=1))
    assert set(Article.objects.published()) == {live, due_now}


def test_scheduled_article_appears_when_its_time_comes_without_any_job():
    with time_machine.travel(NOON, tick=False):
        article = make_article(publish_at=NOON + timedelta(hours=2))
        assert not article.is_live
        assert article not in Article.objects.published()
    with time_machine.travel(NOON + timedelta(hours=2, seconds=1), tick=False):
        assert article in Article.objects.published()
        article.refresh_from_db()
        assert article.is_live


@pytest.mark.parametrize("path", ["/en/news/", "/en/news/feed/", "/en/"])
def test_scheduled_article_reaches_the_pages_when_due_while_the_site_runs(client, path):
    due = timezone.now() + timedelta(hours=2)
    make_article(title="Scheduled briefing", publish_at=due)
    assert "Scheduled briefing" not in client.get(path).content.decode()
    with time_machine.travel(due + timedelta(seconds=1)):
        assert "Scheduled briefing" in client.get(path).content.decode()


def test_published_orders_newest_first():
    older = make_article(publish_at=timezone.now() - timedelta(days=2))
    newer = make_article(publish_at=timezone.now() - timedelta(days=1))
    assert list(Article.objects.published()) == [newer, older]


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ('<p>Hi</p><script>alert("x")</script>', "<script"),
        ('<p onclick="steal()">Hi</p>', "onclick"),
        ('<a href="javascript:alert(1)">link</a>', "javascript:"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<p style="color:red">Hi</p>', "style="),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ],
)
def test_article_body_is_sanitised_when_saved(dirty, forbidden):
    article = make_article(body=dirty)
    article.refresh_from_db()
    assert forbidden not in article.body


def test_sanitiser_keeps_the_markup_editors_use():
    html = (
        '<h2>Heading</h2><p><strong>Bold</strong> <em>it</em> <a href="https://www.iso.org/">ISO</a>'
        "</p><ul><li>One</li></ul><blockquote><p>Said</p></blockquote>"
    )
    cleaned = sanitize_html(html)
    for kept in ("<h2>Heading</h2>", "<strong>Bold</strong>", "<em>it</em>", "<li>One</li>"):
        assert kept in cleaned
    assert 'href="https://www.iso.org/"' in cleaned
    assert 'rel="noopener noreferrer"' in cleaned


def test_image_needs_alt_text():
    article = Article(
        title="With image", slug="with-image", summary="S", body="<p>B</p>", image="news/photo.jpg"
    )
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "Describe the image" in str(error.value.message_dict["image_alt_en"])
    with pytest.raises(IntegrityError), transaction.atomic():
        article.save()


def test_image_with_alt_text_is_valid():
    article = make_article(image="news/2020/photo.jpg", image_alt="Three people on a stage")
    article.full_clean()


# Pages


def test_news_list_shows_published_articles_only(client):
    make_article(title="Out now")
    make_article(title="Still a draft", status=Article.Status.DRAFT)
    make_article(title="Next week", publish_at=timezone.now() + timedelta(days=7))
    html = client.get("/en/news/").content.decode()
    assert "Out now" in html
    assert "Still a draft" not in html
    assert "Next week" not in html
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/en/news/feed/atom/"' in html


def test_news_list_paginates(client):
    for number in range(12):
        published = timezone.now() - timedelta(hours=number + 1)
        make_article(title=f"Item {number:02d}", publish_at=published)
    first = client.get("/en/news/").content.decode()
    second = client.get("/en/news/?page=2").content.decode()
    assert [n for n in range(12) if f"Item {n:02d}" in first] == list(range(10))
    assert [n for n in range(12) if f"Item {n:02d}" in second] == [10, 11]
    assert '<a href="?page=2" rel="next">Older</a>' in first
    assert 'rel="prev"' not in first
    assert "<li>Page 2</li>" in second
    assert '<a href="?page=1" rel="prev">Newer</a>' in second
    assert 'rel="next"' not in second
    assert "<title>News (page 2)" in second
    assert client.get("/en/news/?page=3").status_code == 404


def test_news_list_that_fits_on_one_page_has_no_page_links(client):
    for number in range(10):
        make_article(title=f"Item {number:02d}")
    html = client.get("/en/news/").content.decode()
    assert html.count("Item ") == 10
    assert 'aria-label="Pages"' not in html


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99", "1.5", "9" * 30])
def test_bad_page_numbers_give_404_not_500(client, page):
    make_article()
    response = client.get(f"/en/news/?page={page}")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_article_page_has_summary_body_topics_organisations_and_metadata(client):
    topic = make_topic(name="Smart cities", slug="smart-cities")
    iso = Organisation.objects.create(
        name="International Organization for Standardization", short_name="ISO", slug="iso"
    )
    article = make_article(
        title="Standards for cities",
        summary="Three bodies join forces.",
        body="<p>The whole story.</p>",
        topics=[topic],
        organisations=[iso],
    )
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Standards for cities</h1>" in html
    assert "<p>The whole story.</p>" in html
    assert 'href="/en/news/topics/smart-cities/"' in html
    assert ">ISO</abbr>" in html
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Standards for cities">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta name="twitter:title" content="Standards for cities">' in html


def test_article_page_has_news_article_json_ld(client):
    import json
    import re

    article = make_article(title="A </script><script>alert(1)</script> title")
    html = client.get(article.get_absolute_url()).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    data = json.loads(match.group(1))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["url"] == f"http://testserver{article.get_absolute_url()}"
    assert "<script>alert(1)" not in html


def test_draft_is_404_for_the_public_and_a_preview_for_staff(client):
    draft = make_article(status=Article.Status.DRAFT, title="Work in progress")
    assert client.get(draft.get_absolute_url()).status_code == 404
    staff = get_user_model().objects.create_user("editor", password="x", is_staff=True)
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Work in progress" in response.content.decode()
    assert "Preview: draft, not public" in response.content.decode()


def test_scheduled_article_is_404_for_the_public(client):
    scheduled = make_article(publish_at=timezone.now() + timedelta(days=1))
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_topic_page_lists_its_published_articles(client):
    topic = make_topic(name="COVID-19", slug="covid-19")
    make_article(title="On topic", topics=[topic])
    make_article(title="Elsewhere")
    make_article(title="Draft on topic", topics=[topic], status=Article.Status.DRAFT)
    response = client.get("/en/news/topics/covid-19/")
    html = response.content.decode()
    assert "<h1>COVID-19</h1>" in html
    assert "On topic" in html
    assert "Elsewhere" not in html
    assert "Draft on topic" not in html
    assert 'href="/en/news/topics/covid-19/feed/"' in html
    assert client.get("/en/news/topics/no-such-topic/").status_code == 404


def test_topic_page_paginates(client):
    topic = make_topic(slug="covid-19")
    for number in range(11):
        published = timezone.now() - timedelta(hours=number + 1)
        make_article(title=f"Item {number:02d}", publish_at=published, topics=[topic])
    first = client.get("/en/news/topics/covid-19/").content.decode()
    second = client.get("/en/news/topics/covid-19/?page=2").content.decode()
    assert "Item 09" in first
    assert "Item 10" not in first
    assert 'rel="next"' in first
    assert "Item 10" in second
    assert "Item 09" not in second
    assert client.get("/en/news/topics/covid-19/?page=3").status_code == 404
    assert client.get("/en/news/topics/covid-19/?page=abc").status_code == 404


def test_home_shows_the_latest_published_articles(client):
    for number in range(4):
        make_article(title=f"Story {number}", publish_at=timezone.now() - timedelta(days=number))
    make_article(title="Unpublished story", status=Article.Status.DRAFT)
    html = client.get("/en/").content.decode()
    assert "Latest news" in html
    assert "Story 0" in html
    assert "Story 2" in html
    assert "Story 3" not in html
    assert "Unpublished story" not in html


def test_header_links_to_news_and_marks_the_current_section(client):
    make_article()
    html = client.get("/en/news/").content.decode()
    assert '<a href="/en/news/" aria-current="page">News</a>' in html
    assert '<a href="/en/quotes/">Quotes</a>' in html
    assert 'role="search"' in html
    assert '<label class="visually-hidden" for="site-search-q">' in html


def test_topics_index_lists_the_topics_with_news_and_is_linked_and_in_the_sitemap(client):
    water = make_topic(name="Water", slug="water", description="Drinking water and floods.")
    energy = make_topic(name="Energy", slug="energy")
    make_topic(name="Mobility", slug="mobility")  # no article at all
    drafts_only = make_topic(name="Housing", slug="housing")
    make_article(topics=[water, energy])
    make_article(topics=[drafts_only], status=Article.Status.DRAFT)

    html = client.get("/en/news/topics/").content.decode()
    assert '<a href="/en/news/topics/energy/">Energy</a>' in html
    assert '<a href="/en/news/topics/water/">Water</a>' in html
    assert html.index(">Energy</a>") < html.index(">Water</a>")
    assert "Drinking water and floods." in html
    assert "Mobility" not in html
    assert "Housing" not in html

    assert '<a href="/en/news/topics/">Topics</a>' in client.get("/en/news/").content.decode()
    topic_page = client.get("/en/news/topics/water/").content.decode()
    assert '<a href="/en/news/topics/">All topics</a>' in topic_page
    assert "<loc>http://testserver/en/news/topics/</loc>" in read_sitemap(client)
