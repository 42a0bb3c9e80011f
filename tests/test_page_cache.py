"""Anonymous pages come from the shared cache; changes show at once; nothing private leaks."""

import os
import socket
import threading
import time
import uuid
from datetime import timedelta

import pytest
import redis
import time_machine
from django.core.cache import cache, caches
from django.utils import timezone

from news.models import Article
from taskforce.cache import (
    CONTENT_VERSION_KEY,
    FailFastConnectionPool,
    ProcessPageTier,
    content_version,
    tag_key,
    tag_versions,
)
from taskforce.models import Organisation
from tests.events_helpers import make_event, register
from tests.makers import make_article, make_person, make_quote, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    """The page cache on; each edit shows on the very next request (no refresh window:
    test_page_cache_churn.py covers it)."""
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_REFRESH_SECONDS = 0


def test_second_anonymous_visit_is_served_from_the_cache(client):
    first = client.get("/en/about/")
    second = client.get("/en/about/")
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    # Headers set below the cache are stored with the page.
    assert "default-src 'self'" in second["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert second["X-Content-Type-Options"] == "nosniff"
    assert second["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_every_public_page_is_served_from_the_cache_on_a_second_visit(client):
    organisation = Organisation.objects.create(
        name="International Example Body", short_name="IEB", slug="ieb"
    )
    person = make_person(organisation=organisation)
    article = make_article(topics=[make_topic()], organisations=[organisation])
    make_quote(person=person, article=article)
    event = make_event()
    pages = [
        "/en/",
        "/en/about/",
        article.get_absolute_url(),
        "/en/news/",
        article.topics.get().get_absolute_url(),
        "/en/quotes/",
        person.get_absolute_url(),
        event.get_absolute_url(),
        "/en/events/",
        "/en/events/past/",
        "/en/organisations/",
        organisation.get_absolute_url(),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
        assert client.get(page).get("X-Page-Cache") == "hit", page


def test_a_cached_page_over_https_keeps_strict_transport_security(client, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    client.get("/en/about/", secure=True)
    second = client.get("/en/about/", secure=True)
    assert second["X-Page-Cache"] == "hit"
    assert second["Strict-Transport-Security"].startswith("max-age=3600")
    # Plain HTTP has its own entry: HSTS is never sent over it.
    assert "Strict-Transport-Security" not in client.get("/en/about/")


def test_head_and_get_share_the_cached_page(client):
    page = client.get("/en/about/")
    head = client.head("/en/about/")
    assert head["X-Page-Cache"] == "hit"
    assert head["ETag"] == page["ETag"]
    assert head.content == b""

    client.head("/en/quotes/")
    after_head = client.get("/en/quotes/")
    assert after_head["X-Page-Cache"] == "hit"
    assert "<h1>Quotes</h1>" in after_head.content.decode()


def test_cached_page_answers_conditional_get_with_304(client):
    etag = client.get("/en/about/")["ETag"]
    response = client.get("/en/about/", headers={"if-none-match": etag})
    assert response.status_code == 304


def test_an_edit_shows_on_the_next_request(client):
    article = make_article(title="Cities meet")
    assert "Cities meet" in client.get("/en/news/").content.decode()
    article.title = "Cities gather"
    article.save()
    response = client.get("/en/news/")
    assert response["X-Page-Cache"] == "miss"
    assert "Cities gather" in response.content.decode()


def test_publish_action_shows_the_article_at_once(client):
    article = make_article(title="Draft news", status=Article.Status.DRAFT)
    assert "Draft news" not in client.get("/en/news/").content.decode()
    Article.objects.filter(pk=article.pk).publish()
    assert "Draft news" in client.get("/en/news/").content.decode()


def test_scheduled_article_appears_the_moment_it_is_due(client):
    due = timezone.now() + timedelta(minutes=5)
    make_article(title="Scheduled news", publish_at=due)
    assert "Scheduled news" not in client.get("/en/news/").content.decode()
    with time_machine.travel(due + timedelta(seconds=1)):
        assert "Scheduled news" in client.get("/en/news/").content.decode()


def test_a_registration_updates_the_seats_left_on_the_cached_event_page(client):
    event = make_event(capacity=3)
    assert "3 seats left" in client.get(event.get_absolute_url()).content.decode()
    register(event)
    assert "2 seats left" in client.get(event.get_absolute_url()).content.decode()


def test_registrations_without_a_seat_count_leave_the_cached_pages_alone(
    client, django_capture_on_commit_callbacks
):
    event = make_event(capacity=None)
    client.get("/en/")
    with django_capture_on_commit_callbacks(execute=True):
        register(event)
    assert client.get("/en/")["X-Page-Cache"] == "hit"
    limited = make_event(capacity=5)
    client.get("/en/")
    with django_capture_on_commit_callbacks(execute=True):
        register(limited)
    assert client.get("/en/")["X-Page-Cache"] == "miss"


def test_event_page_with_its_form_is_shared_and_holds_no_csrf_token(client):
    event = make_event()
    first = client.get(event.get_absolute_url())
    second = client.get(event.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert 'action="/en/events/' in second.content.decode()
    assert "csrfmiddlewaretoken" not in second.content.decode()
    assert not first.cookies


def test_registration_from_another_site_is_refused_and_saves_nothing(client):
    event = make_event()
    data = {"name": "Ada", "email": "ada@example.org", "consent": "on"}
    url = f"/en/events/{event.slug}/register/"
    for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
        response = client.post(url, data, headers=headers)
        assert response.status_code == 403
        assert "Form sent from another site" in response.content.decode()
    assert not event.registrations.exists()
    same_site = client.post(url, data, headers={"origin": "http://testserver"})
    assert same_site.status_code == 302
    assert event.registrations.count() == 1


def test_saving_content_changes_its_tags_now_and_at_the_commit(
    django_capture_on_commit_callbacks,
):
    before = tag_versions(["taskforce_organisation"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        organisation = Organisation.objects.create(name="Test body", short_name="TB", slug="tb")
    tags = ["taskforce_organisation", f"taskforce_organisation:{organisation.pk}"]
    during = tag_versions(tags)
    assert during["taskforce_organisation"] != before["taskforce_organisation"]
    for callback in callbacks:
        callback()
    after = tag_versions(tags)
    assert all(after[tag] != during[tag] for tag in tags)
    # The site-wide version (time boundaries, bulk updates) is left alone.
    assert content_version() == content_version()


def test_visitors_with_a_session_bypass_the_cache(client, admin_user):
    client.get("/en/about/")
    client.force_login(admin_user)
    assert "X-Page-Cache" not in client.get("/en/about/")


def test_article_page_is_shared_although_it_checks_for_staff(client):
    article = make_article()
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_page_with_a_csrf_token_is_never_shared(client, settings):
    settings.ROOT_URLCONF = "tests.urls_cache"
    first = client.get("/form/")
    stranger = client.__class__()
    second = stranger.get("/form/")
    assert "X-Page-Cache" not in second
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_staff_preview_of_a_draft_never_reaches_the_public(client, admin_user):
    article = make_article(title="Secret draft", status=Article.Status.DRAFT)
    client.force_login(admin_user)
    assert client.get(article.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_error_pages_are_not_cached(client):
    client.get("/no-such-page/")
    assert "X-Page-Cache" not in client.get("/no-such-page/")


def test_cache_can_be_turned_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/en/about/")
    assert "X-Page-Cache" not in client.get("/en/about/")


def test_health_checks_never_touch_the_cache_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert "X-Page-Cache" not in response


def use_redis_cache(settings, location, key_prefix="", **options):
    """The production cache settings (REDIS_CACHE_OPTIONS, then `options`), at `location`."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {**settings.REDIS_CACHE_OPTIONS, **options},
        }
    }


@pytest.fixture
def redis_cache(settings):
    """The shared cache on this machine's Redis (database 14), as in production."""
    client = redis.Redis(host="127.0.0.1", port=6379, db=14, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        reason = "Redis not reachable on 127.0.0.1:6379"
        if os.environ.get("CI"):
            pytest.fail(f"The page cache's Redis tests must run in CI: {reason}")
        pytest.skip(reason)
    prefix = f"test-{uuid.uuid4().hex}"
    use_redis_cache(settings, "redis://127.0.0.1:6379/14", key_prefix=prefix)
    yield client
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def change_elsewhere(redis_client, article, title):
    """Edit an article as another process would: only Redis hears of it."""
    Article.objects.filter(pk=article.pk).update(title=title)
    redis_client.delete(cache.make_key(CONTENT_VERSION_KEY))


def no_round_trip(*args, **kwargs):
    raise AssertionError("a repeat visit asked Redis for the page")


def test_a_repeat_visit_is_answered_from_the_process_without_a_round_trip(
    client, redis_cache, monkeypatch
):
    client.get("/en/news/")  # The first visit after a change writes the content version.
    first = client.get("/en/about/")
    assert first["X-Page-Cache"] == "miss"
    # The first repeat reads the versions of what the page shows once; the process keeps them.
    assert client.get("/en/about/")["X-Page-Cache"] == "hit"
    monkeypatch.setattr(caches["default"], "get_many", no_round_trip)
    second = client.get("/en/about/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_an_edit_by_another_process_shows_on_the_next_request(client, redis_cache):
    article = make_article(title="Cities meet")
    client.get("/en/news/")
    assert client.get("/en/news/")["X-Page-Cache"] == "hit"
    change_elsewhere(redis_cache, article, "Cities gather")
    response = client.get("/en/news/")
    assert response["X-Page-Cache"] == "miss"
    assert "Cities gather" in response.content.decode()


def test_a_lost_connection_to_redis_never_serves_a_stale_page(client, redis_cache, monkeypatch):
    article = make_article(title="Cities meet")
    client.get("/en/news/")
    assert client.get("/en/news/")["X-Page-Cache"] == "hit"
    watch = f"page-cache-watch-{os.getpid()}"
    killed = [
        redis_cache.client_kill_filter(_id=entry["id"])
        for entry in redis_cache.client_list()
        if entry["name"] == watch
    ]
    assert killed
    change_elsewhere(redis_cache, article, "Cities gather")
    response = client.get("/en/news/")
    assert response.status_code == 200
    assert "Cities gather" in response.content.decode()
    # The process watches again and keeps pages again; the next edit elsewhere shows too.
    assert client.get("/en/news/")["X-Page-Cache"] == "hit"
    with monkeypatch.context() as patch:
        patch.setattr(caches["default"], "get_many", no_round_trip)
        assert client.get("/en/news/")["X-Page-Cache"] == "hit"
    change_elsewhere(redis_cache, article, "Cities convene")
    assert "Cities convene" in client.get("/en/news/").content.decode()


def test_a_version_read_before_a_change_is_not_kept_after_it(redis_cache):
    tier = ProcessPageTier(seconds=60)
    tier.begin()
    key = tag_key("news_article")
    tag_versions(["news_article"])
    tier.begin()
    # One request reads a version from Redis while another process changes it ...
    token = tier.begin()
    read_before = cache.get(key)
    redis_cache.delete(cache.make_key(key))
    time.sleep(0.05)  # Redis's message about it is on its way at once.
    # ... a second request sees the change, then the first one finishes.
    tier.begin()
    tier.remember({key: read_before}, token)
    tier.begin()
    assert tier.known([key]) == {}


def test_a_redis_without_tracking_is_asked_once_and_every_edit_still_shows(
    client, redis_cache, monkeypatch, caplog
):
    asked = []
    send_command = redis.connection.Connection.send_command

    def without_tracking(connection, *args, **kwargs):
        if args[:2] == ("CLIENT", "TRACKING"):
            asked.append(args)
            args = ("CLIENT", "NO-SUCH-SUBCOMMAND")  # Answered with an error, as before Redis 6.
        return send_command(connection, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_command", without_tracking)
    article = make_article(title="Cities meet")
    responses = [client.get("/en/news/") for _ in range(3)]
    assert [response["X-Page-Cache"] for response in responses] == ["miss", "hit", "hit"]
    assert len(asked) == 1
    assert "Redis refused tracking" in caplog.text
    change_elsewhere(redis_cache, article, "Cities gather")
    assert "Cities gather" in client.get("/en/news/").content.decode()


@pytest.fixture
def unreachable_redis(settings):
    """The production cache settings, pointed at a port where no Redis listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    use_redis_cache(settings, f"redis://127.0.0.1:{port}/0")


def test_pages_and_edits_show_while_redis_cannot_be_reached(client, unreachable_redis, caplog):
    article = make_article(title="Cities meet")
    assert "Cities meet" in client.get("/en/news/").content.decode()
    article.title = "Cities gather"
    article.save()
    responses = [client.get("/en/news/") for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert "Cities gather" in responses[-1].content.decode()
    assert caplog.text.count("Redis cannot be reached") == 1


def test_a_registration_is_saved_while_redis_cannot_be_reached(client, unreachable_redis):
    """The rate limit cannot count without Redis; the visitor is not turned away for it."""
    event = make_event(capacity=3)
    data = {"name": "Ada", "email": "ada@example.org", "consent": "on"}
    url = f"/en/events/{event.slug}/register/"
    response = client.post(url, data, headers={"origin": "http://testserver"})
    assert response.status_code == 302
    assert event.registrations.get().email == "ada@example.org"
    assert "2 seats left" in client.get(event.get_absolute_url()).content.decode()


class NotRedis:
    """
    A server on a port of its own that accepts connections and never answers, as a
    Redis that hangs does, or answers every connection with `reply` and closes it.
    """

    def __init__(self, reply=None):
        self.reply = reply
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.connections = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection = self.listener.accept()[0]
            except OSError:
                return
            self.connections.append(connection)
            if self.reply is not None:
                connection.recv(1024)
                connection.sendall(self.reply)
                connection.close()

    def close(self):
        self.listener.shutdown(socket.SHUT_RDWR)  # Wakes the accept() above.
        self.thread.join()
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def not_redis(settings):
    """The production cache settings (with short timeouts), pointed at NotRedis()."""
    servers = []

    def point_at(reply=None):
        servers.append(NotRedis(reply))
        use_redis_cache(settings, servers[-1].url, SOCKET_CONNECT_TIMEOUT=0.2, SOCKET_TIMEOUT=0.2)
        return servers[-1]

    yield point_at
    for server in servers:
        server.close()


def test_a_redis_that_hangs_is_waited_for_once_not_on_every_request(client, not_redis, caplog):
    hung_redis = not_redis()
    article = make_article(title="Cities meet")
    client.get("/en/news/")
    article.title = "Cities gather"
    article.save()
    responses = [client.get("/en/news/") for _ in range(4)]
    assert [response.status_code for response in responses] == [200, 200, 200, 200]
    assert "Cities gather" in responses[-1].content.decode()
    event = make_event(capacity=3)
    data = {"name": "Ada", "email": "ada@example.org", "consent": "on"}
    url = f"/en/events/{event.slug}/register/"
    assert client.post(url, data, headers={"origin": "http://testserver"}).status_code == 302
    assert event.registrations.get().email == "ada@example.org"
    # Every page, edit and registration above together waited for one timed-out connection.
    assert len(hung_redis.connections) == 1
    assert caplog.text.count("Redis cannot be reached") == 1


def test_redis_is_tried_again_once_the_wait_is_over(client, not_redis, monkeypatch):
    hung_redis = not_redis()
    monkeypatch.setattr(FailFastConnectionPool, "retry_seconds", 0)
    for _ in range(3):
        assert client.get("/en/about/").status_code == 200
    assert len(hung_redis.connections) >= 3


def test_a_wrong_service_on_the_redis_port_is_treated_as_no_redis(client, not_redis, caplog):
    """A CACHE_URL pointing at, say, a web server: pages are served, and the log says why."""
    not_redis(reply=b"HTTP/1.1 400 Bad Request\r\n\r\n")
    responses = [client.get("/en/news/") for _ in range(2)]
    assert [response.status_code for response in responses] == [200, 200]
    assert "Redis cannot be reached" in caplog.text
    assert "Protocol Error" in caplog.text
