"""Embargo links: a private, expiring view of an article before it is published."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from news.models import Article, EmbargoLink
from tests.editing import change_form_data, split
from tests.makers import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled():
    return make_article(
        title="Task Force launches",
        body="<p>Secret until launch day.</p>",
        publish_at=timezone.now() + timedelta(days=2),
    )


def make_link(article, **fields):
    fields = {"recipient": "Jane Doe, Daily Planet", **fields}
    fields.setdefault("expires_at", timezone.now() + timedelta(days=5))
    return EmbargoLink.objects.create(article=article, **fields)


def open_link(link, client=None):
    return (client or Client()).get(link.get_absolute_url())


def test_editor_makes_a_link_for_a_named_recipient_in_the_article_form(editor_client, scheduled):
    url = f"/admin/news/article/{scheduled.pk}/change/"
    expires = timezone.now() + timedelta(days=3)
    date, time = split(expires)
    data = change_form_data(
        editor_client.get(url),
        **{
            "embargo_links-TOTAL_FORMS": "1",
            "embargo_links-0-recipient": "Jane Doe, Daily Planet",
            "embargo_links-0-expires_at_0": date,
            "embargo_links-0-expires_at_1": time,
            "_continue": "Save and continue editing",
        },
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    link = EmbargoLink.objects.get()
    assert (link.recipient, link.created_by.username) == ("Jane Doe, Daily Planet", "editor")
    assert len(link.token) >= 40
    form = editor_client.get(url).content.decode()
    assert f"http://127.0.0.1:8000/en/news/embargo/{link.token}/" in form
    assert "never" in form and "active" in form


def test_the_link_shows_the_article_with_an_embargo_banner_and_is_never_indexed(scheduled):
    link = make_link(scheduled)
    response = open_link(link)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Task Force launches</h1>" in html and "Secret until launch day." in html
    date = timezone.localtime(scheduled.publish_at)
    moment = f"{date:%Y-%m-%dT%H:%M:%S}+00:00"
    assert f'Embargoed until <time datetime="{moment}">{date:%-d %B %Y, %H:%M} UTC</time>' in html
    assert "Jane Doe, Daily Planet" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert {"private", "no-store"} <= set(re.split(r",\s*", response["Cache-Control"]))
    assert response["Referrer-Policy"] == "no-referrer"
    assert Client().get(scheduled.get_absolute_url()).status_code == 404


def test_a_draft_is_embargoed_until_further_notice(scheduled):
    draft = make_article(status=Article.Status.DRAFT, publish_at=timezone.now() - timedelta(days=1))
    assert "Embargoed until further notice" in open_link(make_link(draft)).content.decode()


def test_each_opening_is_counted(scheduled):
    link = make_link(scheduled)
    for _ in range(3):
        open_link(link)
    link.refresh_from_db()
    assert link.open_count == 3
    assert timezone.now() - link.last_opened_at < timedelta(minutes=1)


def test_the_link_is_never_kept_in_the_shared_page_cache(scheduled, settings):
    settings.PAGE_CACHE_SECONDS = 60
    link = make_link(scheduled)
    first, second = open_link(link), open_link(link)
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert not [key for key in cache._cache if "page-cache:page" in key]
    link.refresh_from_db()
    assert link.open_count == 2
    EmbargoLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    assert open_link(link).status_code == 410


def test_revoking_in_the_admin_shuts_the_link_at_once(editor_client, scheduled):
    link = make_link(scheduled)
    url = f"/admin/news/article/{scheduled.pk}/change/"
    data = change_form_data(editor_client.get(url), **{"embargo_links-0-revoke": "on"})
    assert editor_client.post(url, data).status_code == 302
    response = open_link(link)
    html = response.content.decode()
    assert response.status_code == 410
    assert "This link has been withdrawn" in html
    assert "Task Force launches" not in html and "Secret" not in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "revoked" in editor_client.get(url).content.decode()


def test_an_expired_link_says_so_and_shows_nothing_else(scheduled):
    link = make_link(scheduled, expires_at=timezone.now() + timedelta(hours=1))
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = open_link(link)
    html = response.content.decode()
    assert response.status_code == 410
    assert "This link has expired" in html
    assert "Task Force launches" not in html and "Secret" not in html
    assert "Jane Doe" not in html


def test_an_unknown_link_is_not_found():
    response = Client().get("/en/news/embargo/not-a-real-token/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_after_publication_the_link_leads_to_the_public_page(scheduled):
    link = make_link(scheduled)
    with time_machine.travel(scheduled.publish_at + timedelta(minutes=1)):
        response = open_link(link)
    assert response.status_code == 302
    assert response["Location"] == scheduled.get_absolute_url()


def test_a_link_cannot_be_made_for_a_live_article(editor_client):
    live = make_article(publish_at=timezone.now() - timedelta(days=1))
    url = f"/admin/news/article/{live.pk}/change/"
    date, time = split(timezone.now() + timedelta(days=1))
    data = change_form_data(
        editor_client.get(url),
        **{
            "embargo_links-TOTAL_FORMS": "1",
            "embargo_links-0-recipient": "Jane",
            "embargo_links-0-expires_at_0": date,
            "embargo_links-0-expires_at_1": time,
        },
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "already public" in response.content.decode()
    assert not EmbargoLink.objects.exists()
