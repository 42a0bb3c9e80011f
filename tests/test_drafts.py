"""Draft changes to a live article: prepared, previewed, published now or on schedule."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from news.models import Article, ArticleDraft
from tests.editing import (
    article_form,
    change_form_data,
    photo_bytes,
    split,
    stored_files,
    upload,
)
from tests.makers import make_article, make_person, make_quote, make_topic

pytestmark = pytest.mark.django_db

LIVE_BODY = "<p>The Task Force meets in Geneva.</p>"


@pytest.fixture
def live():
    return make_article(
        title="Task Force meets",
        body=LIVE_BODY,
        publish_at=timezone.now() - timedelta(days=2),
        topics=[make_topic(name="Cities", slug="cities")],
    )


def change_url(article):
    return f"/admin/news/article/{article.pk}/change/"


def save_draft(client, article, **changes):
    data = article_form(article, _save_draft="Save as draft changes", **changes)
    return client.post(change_url(article), data)


def public_page(article):
    return Client().get(article.get_absolute_url()).content.decode()


def test_draft_changes_leave_the_public_page_as_it_was(editor_client, live):
    other_topic = make_topic(name="Resilience", slug="resilience")
    response = save_draft(
        editor_client,
        live,
        title="Task Force meets again",
        body="<p>The Task Force meets in Riyadh.</p>",
        topics=[other_topic.pk],
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(live)
    live.refresh_from_db()
    assert live.title == "Task Force meets"
    page = public_page(live)
    assert "Task Force meets in Geneva" in page and "Riyadh" not in page
    assert "Cities" in page and "Resilience" not in page

    form = editor_client.get(change_url(live)).content.decode()
    assert 'value="Task Force meets again"' in form
    assert "You are editing draft changes" in form
    assert re.search(rf'<option value="{other_topic.pk}" selected>', form)
    listing = editor_client.get("/admin/news/article/").content.decode()
    assert "Published; draft changes waiting" in listing
    assert Version.objects.get_for_object(live).count() == 0  # the live article was not saved


def test_preview_shows_the_changes_exactly_as_the_public_page_will(editor_client, live):
    save_draft(editor_client, live, title="Task Force meets again", body="<p>In Riyadh.</p>")
    preview = editor_client.get(f"/admin/news/article/{live.pk}/draft/preview/")
    html = preview.content.decode()
    assert "<h1>Task Force meets again</h1>" in html
    assert "In Riyadh." in html and "Geneva" not in html
    assert "Preview of draft changes" in html
    assert '<nav aria-label="Main"' in html or 'aria-label="Main"' in html  # the public layout
    assert "no-store" in preview["Cache-Control"]
    assert preview["X-Robots-Tag"] == "noindex, nofollow"
    assert Client().get(f"/admin/news/article/{live.pk}/draft/preview/").status_code == 302


def test_publishing_the_draft_changes_puts_them_live_and_keeps_a_version(editor_client, live):
    save_draft(editor_client, live, title="Task Force meets again")
    page = editor_client.get(change_url(live))
    response = editor_client.post(change_url(live), change_form_data(page, _save="Save"))
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.title == "Task Force meets again"
    assert "Task Force meets again" in public_page(live)
    assert not ArticleDraft.objects.exists()
    assert Version.objects.get_for_object(live).get().field_dict["title"] == live.title


def test_scheduled_changes_go_live_at_their_time_and_not_before(editor_client, live):
    at = timezone.now() + timedelta(hours=3)
    date, time = split(at)
    response = save_draft(
        editor_client,
        live,
        title="Task Force meets in Riyadh",
        changes_publish_at_0=date,
        changes_publish_at_1=time,
    )
    assert response.status_code == 302
    listing = editor_client.get("/admin/news/article/").content.decode()
    assert "Published; changes scheduled for" in listing

    call_command("publish_scheduled")
    assert "Task Force meets in Riyadh" not in public_page(live)
    with time_machine.travel(at + timedelta(minutes=1)):
        call_command("publish_scheduled")
        assert "Task Force meets in Riyadh" in public_page(live)
    live.refresh_from_db()
    assert live.title == "Task Force meets in Riyadh"
    assert not ArticleDraft.objects.exists()
    version = Version.objects.get_for_object(live).get()
    assert "scheduled time" in version.revision.get_comment()


def test_a_scheduled_time_in_the_past_is_refused(editor_client, live):
    date, time = split(timezone.now() - timedelta(hours=1))
    response = save_draft(editor_client, live, changes_publish_at_0=date, changes_publish_at_1=time)
    assert response.status_code == 200
    assert "Choose a time in the future" in response.content.decode()
    assert not ArticleDraft.objects.exists()


def test_draft_changes_hold_the_content_not_the_address_status_or_quotes(editor_client, live):
    response = save_draft(editor_client, live, slug="another-address", status="draft")
    assert response.status_code == 200
    assert response.content.decode().count("Draft changes hold what the article says") == 2

    person = make_person()
    data = article_form(live, _save_draft="Save as draft changes")
    data.update(
        {
            "quotes-TOTAL_FORMS": "1",
            "quotes-0-text": "A new quote.",
            "quotes-0-person": str(person.pk),
            "quotes-0-order": "0",
        }
    )
    response = editor_client.post(change_url(live), data)
    assert response.status_code == 200
    assert "Quotes are not part of draft changes" in response.content.decode()
    assert not ArticleDraft.objects.exists()
    assert not live.quotes.exists()


def test_discarding_draft_changes_deletes_them_and_their_image(
    editor_client, live, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        save_draft(
            editor_client,
            live,
            title="Never published",
            image=upload("draft.jpg", photo_bytes(700, 500)),
            image_alt="A draft image",
        )
    assert stored_files(settings.MEDIA_ROOT)
    url = f"/admin/news/article/{live.pk}/draft/discard/"
    assert "will be deleted" in editor_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url)
    assert response["Location"] == change_url(live)
    assert not ArticleDraft.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []
    live.refresh_from_db()
    assert live.title == "Task Force meets"


def test_a_new_image_in_draft_changes_replaces_the_live_one_only_when_published(
    editor_client, live, settings, django_capture_on_commit_callbacks
):
    live.image = upload("live.jpg", photo_bytes(900, 600))
    live.image_alt = "Live image"
    with django_capture_on_commit_callbacks(execute=True):
        live.save()
        save_draft(
            editor_client,
            live,
            image=upload("next.jpg", photo_bytes(900, 600)),
            image_alt="Next image",
        )
    live_name = live.image.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    assert "Live image" in public_page(live) and "Next image" not in public_page(live)
    preview = editor_client.get(f"/admin/news/article/{live.pk}/draft/preview/").content.decode()
    assert 'alt="Next image"' in preview

    page = editor_client.get(change_url(live))
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change_url(live), change_form_data(page, _save="Save"))
    assert 'alt="Next image"' in public_page(live)
    files = stored_files(settings.MEDIA_ROOT)
    assert len(files) == 6 and not any(live_name in name for name in files)


# Publishing and scheduling articles


def test_publishing_a_draft_started_days_ago_dates_it_now(editor_client):
    started = timezone.now() - timedelta(days=5)
    draft = make_article(status=Article.Status.DRAFT, publish_at=started)
    editor_client.post(change_url(draft), article_form(draft, status="published"))
    draft.refresh_from_db()
    assert draft.status == "published"
    assert timezone.now() - draft.publish_at < timedelta(minutes=1)
    assert draft.publish_at.microsecond == 0  # a time as the form shows it

    backdated = make_article(status=Article.Status.DRAFT, publish_at=started)
    old_release = timezone.now() - timedelta(days=400)
    editor_client.post(
        change_url(backdated),
        article_form(backdated, status="published", publish_at=old_release),
    )
    backdated.refresh_from_db()
    assert split(backdated.publish_at) == split(old_release)  # set on purpose: kept


def test_the_publish_action_dates_past_drafts_now_and_keeps_schedules(editor_client):
    past = make_article(status=Article.Status.DRAFT, publish_at=timezone.now() - timedelta(days=3))
    future_time = timezone.now() + timedelta(days=3)
    future = make_article(status=Article.Status.DRAFT, publish_at=future_time)
    editor_client.post(
        "/admin/news/article/", {"action": "publish", "_selected_action": [past.pk, future.pk]}
    )
    past.refresh_from_db()
    future.refresh_from_db()
    assert timezone.now() - past.publish_at < timedelta(minutes=1)
    assert past.publish_at.microsecond == 0
    assert future.publish_at == future_time and future.status == "published"


def test_the_list_says_scheduled_for_an_article_not_yet_due(editor_client):
    make_article(title="Later", publish_at=timezone.now() + timedelta(days=2))
    make_article(title="Unfinished", status=Article.Status.DRAFT)
    make_article(title="Out now")
    listing = editor_client.get("/admin/news/article/").content.decode()
    rows = re.findall(r"<tr>.*?</tr>", listing, re.DOTALL)
    state = {
        title: row for row in rows for title in ("Later", "Unfinished", "Out now") if title in row
    }
    assert "Scheduled for" in state["Later"] and ">Published<" not in state["Later"]
    assert ">Draft<" in state["Unfinished"]
    assert ">Published<" in state["Out now"]


def test_quotes_of_the_article_stay_on_the_preview(editor_client, live):
    make_quote(article=live, text="Standards help every city.")
    save_draft(editor_client, live, title="Retitled")
    preview = editor_client.get(f"/admin/news/article/{live.pk}/draft/preview/").content.decode()
    assert "Standards help every city." in preview


def test_staff_see_what_the_draft_changes_change(editor_client, live):
    save_draft(editor_client, live, title="Task Force meets in Riyadh")
    html = editor_client.get(f"/admin/news/article/{live.pk}/draft/compare/").content.decode()
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td>(.*?)</td>', html, re.DOTALL))
    assert list(rows) == ["Title [en]"]
    assert "in Riyadh</ins>" in rows["Title [en]"]
    history = editor_client.get(f"/admin/news/article/{live.pk}/history/").content.decode()
    assert "Task Force meets in Riyadh" not in history  # the history is of the live article
