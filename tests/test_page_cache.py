"""Anonymous pages come from the shared cache; edits and private state never leak."""

import pytest

from taskforce.cache import content_version
from taskforce.models import Organisation

pytestmark = pytest.mark.django_db


def test_second_anonymous_visit_is_served_from_the_cache(client):
    first = client.get("/about/")
    second = client.get("/about/")
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    # Headers set below the cache are stored with the page.
    assert "default-src 'self'" in second["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"


def test_cached_page_answers_conditional_get_with_304(client):
    etag = client.get("/about/")["ETag"]
    response = client.get("/about/", headers={"if-none-match": etag})
    assert response.status_code == 304


def test_saving_content_invalidates_every_cached_page(client, django_capture_on_commit_callbacks):
    client.get("/about/")
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        Organisation.objects.create(name="Test body", short_name="TB", slug="tb")
    assert content_version() != before
    assert client.get("/about/")["X-Page-Cache"] == "miss"


def test_version_is_bumped_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Organisation.objects.create(name="Test body", short_name="TB", slug="tb")
    during = content_version()
    for callback in callbacks:
        callback()
    assert content_version() != during


def test_visitors_with_a_session_bypass_the_cache(client, admin_user):
    client.get("/about/")
    client.force_login(admin_user)
    response = client.get("/about/")
    assert "X-Page-Cache" not in response


def test_error_pages_are_not_cached(client):
    client.get("/no-such-page/")
    assert "X-Page-Cache" not in client.get("/no-such-page/")


def test_cache_can_be_turned_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/about/")
    assert "X-Page-Cache" not in client.get("/about/")
