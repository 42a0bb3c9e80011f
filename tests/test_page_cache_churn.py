"""
The page cache under churn: an edit renews only the pages that show it, a burst
renders a page once, unknown query parameters share the page, and every process
sharing the embedded default cache sees an edit at once.
"""

import subprocess
import sys
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from taskforce.cache import LOCK_PREFIX, PAGE_PREFIX, tag_versions
from tests.conftest import BASE_DIR
from tests.events_helpers import make_event, register
from tests.makers import make_article, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_REFRESH_SECONDS = 0


def states(client, *paths):
    return [client.get(path)["X-Page-Cache"] for path in paths]


def test_an_edit_renews_the_pages_that_show_it_and_no_other_article_page(client):
    topic = make_topic()
    edited = make_article(title="Cities meet", topics=[topic])
    other = make_article(title="Water networks")
    pages = [
        "/en/news/",
        topic.get_absolute_url(),
        edited.get_absolute_url(),
        other.get_absolute_url(),
    ]
    states(client, *pages)
    assert states(client, *pages) == ["hit"] * 4
    edited.title = "Cities gather"
    edited.save()
    assert states(client, *pages) == ["miss", "miss", "miss", "hit"]
    assert "Cities gather" in client.get(edited.get_absolute_url()).content.decode()
    assert "Cities gather" in client.get("/en/news/").content.decode()


def test_a_registration_renews_only_the_pages_showing_that_events_seats(client):
    limited = make_event(capacity=5)
    elsewhere = make_event(capacity=5)
    article = make_article()
    pages = ["/en/events/", limited.get_absolute_url(), elsewhere.get_absolute_url()]
    others = ["/en/news/", article.get_absolute_url(), "/en/quotes/"]
    states(client, *pages, *others)
    register(limited)
    assert states(client, *pages) == ["miss", "miss", "hit"]
    assert states(client, *others) == ["hit"] * 3
    assert "4 seats left" in client.get(limited.get_absolute_url()).content.decode()


def test_unknown_query_parameters_share_the_page_and_known_ones_do_not(client):
    make_article(title="Cities meet")
    assert client.get("/en/news/")["X-Page-Cache"] == "miss"
    for junk in ("utm_source=mail&utm_campaign=x", "fbclid=abc123", "x=1", "page=1&x=2"):
        if junk.startswith("page"):
            continue
        assert client.get(f"/en/news/?{junk}")["X-Page-Cache"] == "hit", junk
    assert client.get("/en/search/?q=cities")["X-Page-Cache"] == "miss"
    assert client.get("/en/search/?q=cities&utm_medium=social")["X-Page-Cache"] == "hit"
    assert client.get("/en/search/?q=water")["X-Page-Cache"] == "miss"
    assert client.get("/en/news/?page=1")["X-Page-Cache"] == "miss"  # its own page


def test_thousands_of_random_parameters_make_one_entry(client):
    cache.clear()
    for n in range(300):
        assert client.get(f"/en/about/?x{n}={n}").status_code == 200
    pages = [key for key in cache._cache if PAGE_PREFIX in key]
    assert len(pages) == 1


def test_a_view_reading_a_parameter_it_does_not_declare_is_not_cached(client, settings, caplog):
    settings.ROOT_URLCONF = "tests.urls_cache"
    first = client.get("/greeting/?name=Ada")
    assert first.content == b"Hello Ada"
    assert "X-Page-Cache" not in first
    assert client.get("/greeting/?name=Bob").content == b"Hello Bob"
    assert caplog.text.count("reads ?name, which it does not declare") == 1


def test_a_burst_of_edits_renders_a_page_once_a_refresh_window_and_then_shows_the_last(
    client, settings
):
    settings.PAGE_CACHE_REFRESH_SECONDS = 1
    article = make_article(title="Edit 0")
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False) as traveller:
        assert client.get("/en/news/")["X-Page-Cache"] == "miss"
        article.title = "Edit 1"
        article.save()
        response = client.get("/en/news/")  # a first change shows at once
        assert response["X-Page-Cache"] == "miss"
        assert "Edit 1" in response.content.decode()
        for n in range(2, 6):
            article.title = f"Edit {n}"
            article.save()
            traveller.shift(0.1)
            response = client.get("/en/news/")
            assert response["X-Page-Cache"] == "stale"
            assert "Edit 1" in response.content.decode()
        traveller.shift(0.7)  # a second after the page was rendered
        # The burst goes on: the visitor gets the copy at once; the page renders after.
        assert client.get("/en/news/")["X-Page-Cache"] == "stale"
        response = client.get("/en/news/")
        assert response["X-Page-Cache"] == "hit"
        assert "Edit 5" in response.content.decode()
        # An edit seconds old is rendered for the visitor who asks.
        traveller.shift(5)
        article.title = "Edit 6"
        article.save()
        traveller.shift(3)
        response = client.get("/en/news/")
        assert response["X-Page-Cache"] == "miss"
        assert "Edit 6" in response.content.decode()


def test_while_one_worker_renders_a_page_the_others_serve_the_previous_copy(client):
    article = make_article(title="Cities meet")
    client.get("/en/news/")
    article.title = "Cities gather"
    article.save()
    key = client.get("/en/news/", headers={"x-probe": "1"})  # renders it again (miss)
    assert key["X-Page-Cache"] == "miss"
    article.title = "Cities convene"
    article.save()
    # Another worker holds the lock of every page now:
    originals = cache.add

    def held(name, *args, **kwargs):
        return False if name.startswith(LOCK_PREFIX) else originals(name, *args, **kwargs)

    cache.add = held
    try:
        response = client.get("/en/news/")
    finally:
        del cache.add
    assert response["X-Page-Cache"] == "stale"
    assert "Cities gather" in response.content.decode()
    assert "Cities convene" in client.get("/en/news/").content.decode()


def test_a_missing_version_is_created_once_however_many_ask_at_once():
    cache.clear()
    seen = []
    barrier = threading.Barrier(8)

    def read():
        barrier.wait()
        seen.append(tag_versions(["news_article"])["news_article"])

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1


SERVE_TWICE = """
import sys
from django.test import Client
client = Client()
print(client.get("/en/news/").content.decode().count("Cities"), flush=True)
sys.stdin.readline()  # another process edits meanwhile
response = client.get("/en/news/")
print(response["X-Page-Cache"], "Cities gather" in response.content.decode(), flush=True)
"""

EDIT = """
from news.models import Article
article = Article.objects.get(slug="cities")
article.title = "Cities gather"
article.save()
"""


def test_with_the_embedded_default_an_edit_from_another_process_shows_at_once(tmp_path):
    """make run's server and a management command share the database cache."""
    env = {
        "PATH": "/usr/bin:/bin",
        "ENV_FILE": "/dev/null",
        "DEBUG": "on",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "PAGE_CACHE_REFRESH_SECONDS": "0",
    }
    manage = [sys.executable, "manage.py"]

    def run(*args):
        result = subprocess.run(
            [*manage, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result

    run("migrate")
    run(
        "shell",
        "-c",
        "from tests.makers import make_article; make_article(title='Cities meet', slug='cities')",
    )
    server = subprocess.Popen(
        [*manage, "shell", "-c", SERVE_TWICE],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout.readline().strip() != "0"
    run("shell", "-c", EDIT)
    output, _ = server.communicate("\n", timeout=60)
    assert output.split() == ["miss", "True"]


def test_an_edit_leaves_the_lists_that_do_not_show_the_article(client):
    water, energy = make_topic(name="Water"), make_topic(name="Energy")
    edited = make_article(title="Pipes", topics=[water])
    make_article(title="Grids", topics=[energy])
    pages = [water.get_absolute_url(), energy.get_absolute_url(), "/en/"]
    states(client, *pages)
    edited.title = "Pipes and pumps"
    edited.save()
    assert states(client, *pages) == ["miss", "hit", "miss"]


def test_a_new_title_renews_the_searches_it_now_matches(client):
    article = make_article(title="Bridges")
    assert "Bridges" not in client.get("/en/search/?q=zebra").content.decode()
    article.title = "Zebra crossings"
    article.save()
    response = client.get("/en/search/?q=zebra")
    assert response["X-Page-Cache"] == "miss"
    assert "Zebra crossings" in response.content.decode()


def test_publishing_and_unpublishing_renew_every_list(client):
    from news.models import Article

    hidden = make_article(title="Held back", status=Article.Status.DRAFT)
    shown = make_article(title="Out now")
    assert "Held back" not in client.get("/en/news/").content.decode()
    hidden.status = Article.Status.PUBLISHED
    hidden.save()
    assert "Held back" in client.get("/en/news/").content.decode()
    shown.status = Article.Status.DRAFT
    shown.save()
    assert "Out now" not in client.get("/en/news/").content.decode()


def test_a_registration_leaves_the_pages_that_do_not_show_that_event(client):
    soon = [make_event(capacity=5, start=timezone.now() + timedelta(days=n)) for n in (1, 2, 3)]
    later = make_event(capacity=5, start=timezone.now() + timedelta(days=60))
    states(client, "/en/", later.get_absolute_url())
    register(later)
    assert states(client, "/en/", later.get_absolute_url()) == ["hit", "miss"]
    register(soon[0])
    assert states(client, "/en/") == ["miss"]


def test_moving_a_registration_opening_earlier_shows_when_the_new_time_comes(client):
    event = make_event(registration_opens_at=timezone.now() + timedelta(days=1))
    assert "Registration opens on" in client.get(event.get_absolute_url()).content.decode()
    client.get("/en/")
    event.registration_opens_at = timezone.now() + timedelta(seconds=20)
    event.save()
    assert "Registration opens on" in client.get(event.get_absolute_url()).content.decode()
    # Well within PAGE_CACHE_SECONDS: the copy rendered before is still there.
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        page = client.get(event.get_absolute_url()).content.decode()
    assert "Registration opens on" not in page
    assert 'action="/en/events/' in page


def test_a_first_edit_shows_at_once_and_a_burst_lags_by_one_answer(client, settings):
    settings.PAGE_CACHE_REFRESH_SECONDS = 1.5
    article = make_article(title="First words")
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False) as traveller:
        client.get(article.get_absolute_url())
        traveller.shift(10)
        article.title = "Second words"
        article.save()
        # The first change after a quiet while is rendered for the visitor who asks.
        first = client.get(article.get_absolute_url())
        assert first["X-Page-Cache"] == "miss"
        assert "Second words" in first.content.decode()
        # Changed again moments later (a burst): once the refresh window is over, the
        # next visitor gets the copy of a moment ago and the page renders right after.
        article.title = "Third words"
        article.save()
        traveller.shift(1.6)
        during = client.get(article.get_absolute_url())
        assert during["X-Page-Cache"] == "stale"
        assert "Second words" in during.content.decode()
        after = client.get(article.get_absolute_url())
        assert after["X-Page-Cache"] == "hit"
        assert "Third words" in after.content.decode()
        # Past the lag the site allows, a change is rendered for the visitor again.
        article.title = "Fourth words"
        article.save()
        traveller.shift(2.5)
        late = client.get(article.get_absolute_url())
        assert late["X-Page-Cache"] == "miss"
        assert "Fourth words" in late.content.decode()


def test_who_just_registered_sees_the_seats_they_took_at_once(client, settings):
    settings.PAGE_CACHE_REFRESH_SECONDS = 1.5
    event = make_event(capacity=2)
    other_visitor = client.__class__()
    assert "2 seats left" in other_visitor.get(event.get_absolute_url()).content.decode()
    response = client.post(
        f"/en/events/{event.slug}/register/",
        {"name": "Ada", "email": "ada@example.org", "consent": "on"},
        headers={"origin": "http://testserver"},
    )
    assert response.cookies["pagecache-fresh"]["max-age"] == 5
    page = client.get(event.get_absolute_url())
    assert "1 seat left" in page.content.decode()
    assert "X-Page-Cache" not in page  # rendered for them, not from a copy
    # A first change shows at once to everyone else too.
    assert "1 seat left" in other_visitor.get(event.get_absolute_url()).content.decode()
