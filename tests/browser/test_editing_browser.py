"""Draft changes and embargo links in a real browser, as an editor and a journalist use them."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from news.models import EmbargoLink
from tests.makers import make_article

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-Pass-phrase-9"


@pytest.fixture
def editor(live_server):
    """Transactional tests flush what migrations made: make the group as its migrations do."""
    steps = {
        "0002_editors_group": "create_editors_group",
        "0008_editors_edit_drafts_and_embargo_links": "let_editors_edit_drafts_and_links",
    }
    for name, function in steps.items():
        migration = importlib.import_module(f"quotes.migrations.{name}")
        getattr(migration, function)(django_apps, schema_editor=None)
    user = get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def sign_in(page):
    page.goto("/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_editor_prepares_previews_and_publishes_changes_to_a_live_article(
    page, browser, live_server, editor, assert_accessible
):
    article = make_article(
        title="Task Force meets",
        body="<p>In Geneva.</p>",
        publish_at=timezone.now() - timedelta(days=1),
    )
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page)
    page.goto(f"/admin/news/article/{article.pk}/change/")
    page.get_by_label("Title [en]").fill("Task Force meets in Riyadh")
    page.get_by_role("button", name="Save as draft changes").click()
    assert "the public page is unchanged" in page.locator(".messagelist").inner_text()
    assert "You are editing draft changes" in page.locator(".draft-notice").inner_text()

    reader_context = browser.new_context(base_url=live_server.url)
    reader = reader_context.new_page()
    reader.goto(article.get_absolute_url())
    assert reader.get_by_role("heading", level=1).inner_text() == "Task Force meets"

    page.get_by_role("link", name="Preview the draft changes").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Task Force meets in Riyadh"
    assert "Preview of draft changes" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("button", name="Save", exact=True).click()
    assert "now on the public page" in page.locator(".messagelist").inner_text()
    reader.reload()
    assert reader.get_by_role("heading", level=1).inner_text() == "Task Force meets in Riyadh"
    reader_context.close()
    assert not [error for error in errors if "Content Security Policy" in error], errors


def test_journalist_reads_an_embargoed_article_and_then_the_link_is_revoked(
    page, live_server, assert_accessible
):
    article = make_article(
        title="Task Force launches", publish_at=timezone.now() + timedelta(days=1)
    )
    link = EmbargoLink.objects.create(
        article=article, recipient="Jane Doe", expires_at=timezone.now() + timedelta(days=2)
    )
    response = page.goto(link.get_absolute_url())
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert page.get_by_role("heading", level=1).inner_text() == "Task Force launches"
    assert "Embargoed until" in page.get_by_role("note").inner_text()
    assert_accessible(page)

    link.revoked_at = timezone.now()
    link.save()
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "This link has been withdrawn"
    assert "Task Force launches" not in page.content()
    assert_accessible(page)


def test_embargoed_article_fits_a_phone_screen(page):
    article = make_article(title="Launch", publish_at=timezone.now() + timedelta(days=1))
    link = EmbargoLink.objects.create(
        article=article, recipient="Jane Doe", expires_at=timezone.now() + timedelta(days=2)
    )
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(link.get_absolute_url())
    expect(page.get_by_role("note")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
