"""Every edit is kept as a version that staff can compare field by field and restore."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from events.models import Event, Registration
from events.services import purge_personal_data
from news.models import Article, Topic
from quotes.models import Person, Quote
from taskforce.versions import blocks_diff, inline_diff, text_blocks
from tests.editing import article_form, change_form_data, photo_bytes, upload
from tests.events_helpers import make_event, register
from tests.makers import make_article, make_person, make_quote, make_topic

pytestmark = pytest.mark.django_db


def versions_of(obj):
    return Version.objects.get_for_object(obj)


def history_ids(obj):
    return list(versions_of(obj).order_by("pk").values_list("pk", flat=True))


def save_article(client, article, **changes):
    article.refresh_from_db()
    response = client.post(
        f"/admin/news/article/{article.pk}/change/", article_form(article, **changes)
    )
    assert response.status_code == 302, response.context["errors"]
    article.refresh_from_db()
    return article


BODY = "<p>Cities are growing.</p><p>Standards help them.</p><p>The Task Force meets monthly.</p>"


@pytest.fixture
def article():
    return make_article(title="Cities meet", body=BODY)


def test_every_admin_save_of_the_content_keeps_a_version(editor_client, article):
    save_article(editor_client, article, title="Cities meet again")
    save_article(editor_client, article, summary="A new summary.")
    assert versions_of(article).count() == 2
    latest = versions_of(article).first()
    assert latest.field_dict["summary_en"] == "A new summary."
    assert latest.revision.user.username == "editor"

    person = make_person(name="Sergio Mujica", slug="sergio-mujica")
    editor_client.post(
        f"/admin/quotes/person/{person.pk}/change/",
        {"name": person.name, "slug": person.slug, "role_en": "ISO Secretary-General"},
    )
    quote = make_quote(person=person)
    editor_client.post(
        f"/admin/quotes/quote/{quote.pk}/change/",
        {"text_en": "Standards matter.", "person": person.pk, "order": 0},
    )
    topic = make_topic(name="Cities", slug="cities")
    editor_client.post(
        f"/admin/news/topic/{topic.pk}/change/", {"name_en": "Smart cities", "slug": "cities"}
    )
    assert [versions_of(obj).count() for obj in (person, quote, topic)] == [1, 1, 1]
    assert versions_of(topic).get().field_dict["name_en"] == "Smart cities"


def test_publish_and_unpublish_actions_keep_a_version(editor_client):
    draft = make_article(status=Article.Status.DRAFT)
    editor_client.post(
        "/admin/news/article/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    editor_client.post(
        "/admin/news/article/", {"action": "unpublish", "_selected_action": [draft.pk]}
    )
    statuses = [v.field_dict["status"] for v in versions_of(draft).order_by("pk")]
    assert statuses == ["published", "draft"]


def test_compare_shows_each_changed_field_and_the_body_word_by_word(editor_client, article):
    smart = make_topic(name="Smart cities", slug="smart-cities")
    save_article(editor_client, article)
    save_article(
        editor_client,
        article,
        title="Cities meet in Geneva",
        body=BODY.replace("help them", "help every one of them"),
        topics=[smart.pk],
    )
    old, new = history_ids(article)
    response = editor_client.get(
        f"/admin/news/article/{article.pk}/history/compare/?from={new}&to={old}"
    )
    html = response.content.decode()
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td>(.*?)</td>', html, re.DOTALL))
    assert set(rows) == {"Title [en]", "Body [en]", "Topics"}
    assert "<ins><span" in rows["Title [en]"] and "in Geneva</ins>" in rows["Title [en]"]
    assert re.search(r"Standards help <ins>.*every one of </ins>them", rows["Body [en]"])
    assert rows["Body [en]"].count("1 paragraph unchanged") == 2
    assert "Smart cities" in rows["Topics"]
    assert "Summary" not in rows


def test_a_body_whose_words_are_the_same_says_only_the_markup_changed(editor_client, article):
    save_article(editor_client, article)
    save_article(editor_client, article, body=BODY.replace("growing.", "<strong>growing</strong>."))
    old, new = history_ids(article)
    html = editor_client.get(
        f"/admin/news/article/{article.pk}/history/compare/?from={old}&to={new}"
    ).content.decode()
    assert "Only the markup changed: the text reads the same." in html


def test_compare_refuses_versions_of_something_else(editor_client, article):
    other = make_article()
    save_article(editor_client, article, title="One")
    save_article(editor_client, other, title="Two")
    mine, theirs = history_ids(article)[0], history_ids(other)[0]
    response = editor_client.get(
        f"/admin/news/article/{article.pk}/history/compare/?from={mine}&to={theirs}",
        follow=True,
    )
    assert "not versions of this item" in response.content.decode()


def test_history_page_offers_to_compare_and_restore(editor_client, article):
    save_article(editor_client, article, title="First")
    save_article(editor_client, article, title="Second")
    html = editor_client.get(f"/admin/news/article/{article.pk}/history/").content.decode()
    assert html.count('type="radio" name="from"') == 2
    assert "Compare the chosen versions" in html
    assert html.count("Restore this version") == 1


def test_restoring_a_version_brings_its_content_back_and_keeps_the_later_one(
    editor_client, article
):
    save_article(editor_client, article, title="The original title")
    save_article(editor_client, article, title="A worse title", body="<p>Oops.</p>")
    first, _ = history_ids(article)
    restore_url = f"/admin/news/article/{article.pk}/history/{first}/"

    form = editor_client.get(restore_url)
    assert form.status_code == 200
    assert 'value="The original title"' in form.content.decode()
    article.refresh_from_db()
    assert article.title == "A worse title"  # showing a version changes nothing

    data = article_form(article, title="The original title", body=BODY)
    assert editor_client.post(restore_url, data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == ("The original title", BODY)
    assert versions_of(article).count() == 3
    assert "Restored the version saved" in versions_of(article).first().revision.get_comment()


def test_restoring_a_version_whose_image_was_replaced_keeps_the_current_image(
    editor_client, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        save_article(
            editor_client, article, image=upload("old.jpg", photo_bytes(800, 600)), image_alt="Old"
        )
    with django_capture_on_commit_callbacks(execute=True):
        save_article(
            editor_client, article, image=upload("new.jpg", photo_bytes(800, 600)), image_alt="New"
        )
    current = article.image.name
    first = history_ids(article)[0]
    response = editor_client.get(f"/admin/news/article/{article.pk}/history/{first}/")
    assert "no longer stored" in response.content.decode()
    editor_client.post(
        f"/admin/news/article/{article.pk}/history/{first}/",
        article_form(article, image_alt="Old"),
    )
    article.refresh_from_db()
    assert article.image.name == current
    assert article.picture is not None


def test_event_history_survives_the_purge_and_never_holds_registrants():
    manager = get_user_model().objects.create_user("manager", password="pw", is_staff=True)
    manager.groups.add(Group.objects.get(name="Event managers"))
    client = Client()
    client.force_login(manager)
    start = timezone.now() - timedelta(days=200)
    event = Event.objects.create(
        title="Forum",
        slug="forum",
        summary="A forum.",
        start=start,
        end=start + timedelta(hours=3),
        status=Event.Status.PUBLISHED,
    )
    Registration.objects.create(
        event=event, name="Ada Lovelace", email="ada@example.org", status="confirmed"
    )
    page = client.get(f"/admin/events/event/{event.pk}/change/")
    data = change_form_data(page, title_en="World Smart City Forum")
    response = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"]
    assert versions_of(event).count() == 1

    purge_personal_data(retention_days=90)
    assert not Registration.objects.exists()
    version = versions_of(event).get()
    assert version.field_dict["title_en"] == "World Smart City Forum"
    assert "ada@example.org" not in "".join(
        Version.objects.values_list("serialized_data", flat=True)
    )
    history = client.get(f"/admin/events/event/{event.pk}/history/").content.decode()
    assert "Restore this version" not in history  # the only version is the current one
    assert "manager" in history

    Event.objects.filter(pk=event.pk).update(title="Renamed elsewhere")
    restore_url = f"/admin/events/event/{event.pk}/history/{version.pk}/"
    form = client.get(restore_url)
    assert 'value="World Smart City Forum"' in form.content.decode()
    assert client.post(restore_url, change_form_data(form, _save="Save")).status_code == 302
    event.refresh_from_db()
    assert event.title == "World Smart City Forum"
    assert versions_of(event).count() == 2


def test_people_and_quotes_are_restored_too(editor_client):
    person = make_person(name="Philippe Metzger", slug="philippe-metzger", role="IEC GS")
    url = f"/admin/quotes/person/{person.pk}/change/"
    editor_client.post(url, {"name": person.name, "slug": person.slug, "role_en": "IEC GS"})
    editor_client.post(url, {"name": person.name, "slug": person.slug, "role_en": "Typo"})
    first = Version.objects.get_for_object(person).order_by("pk").first()
    editor_client.post(
        f"/admin/quotes/person/{person.pk}/history/{first.pk}/",
        {"name": person.name, "slug": person.slug, "role_en": "IEC GS"},
    )
    person.refresh_from_db()
    assert person.role == "IEC GS"
    assert Quote.objects.count() == 0 and Person.objects.count() == 1
    assert Topic.objects.count() == 0


# The readable diff itself


def test_rich_text_reads_as_paragraphs_headings_and_list_items():
    html = '<h2>Plan</h2><p>One <strong>bold</strong> step.</p><ul><li>a</li><li><a href="https://x.org">b</a></li></ul>'
    assert text_blocks(html) == ["## Plan", "One bold step.", "• a", "• b <https://x.org>"]


def test_word_diff_marks_removed_and_added_words_and_escapes_them():
    diff = inline_diff("Cities <grow> fast", "Cities grow slowly")
    assert "<del>" in diff and "<ins>" in diff
    assert "&lt;grow&gt;" in diff
    assert "<grow>" not in diff


def test_body_diff_lists_added_removed_and_changed_paragraphs():
    changes = blocks_diff("<p>A a.</p><p>B b.</p><p>C c.</p>", "<p>A a.</p><p>B x.</p><p>D d.</p>")
    assert [change.kind for change in changes] == ["unchanged", "changed", "changed"]
    changes = blocks_diff("<p>A.</p>", "<p>A.</p><p>New paragraph.</p>")
    assert [(c.kind, str(c.html)) for c in changes] == [
        ("unchanged", "1 paragraph unchanged"),
        ("added", "New paragraph."),
    ]


def test_restoring_an_event_time_tells_its_registrants_as_any_change_does(
    mailoutbox, django_capture_on_commit_callbacks
):
    manager = get_user_model().objects.create_user("planner", password="pw", is_staff=True)
    manager.groups.add(Group.objects.get(name="Event managers"))
    client = Client()
    client.force_login(manager)
    event = make_event(title="Workshop")
    register(event, email="ada@example.org")
    url = f"/admin/events/event/{event.pk}/change/"
    client.post(url, change_form_data(client.get(url), _save="Save"))
    first = versions_of(event).get()
    later = event.start + timedelta(days=1)
    Event.objects.filter(pk=event.pk).update(start=later, end=later + timedelta(hours=2))
    mailoutbox.clear()

    restore_url = f"/admin/events/event/{event.pk}/history/{first.pk}/"
    asked = client.post(restore_url, change_form_data(client.get(restore_url), _save="Save"))
    assert "Email the registrants about this change?" in asked.content.decode()
    confirmation = change_form_data(asked, form_id=lambda id: id is None, _confirm_telling="yes")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(restore_url, confirmation)
    assert confirmed.status_code == 302
    event.refresh_from_db()
    assert event.start == first.field_dict["start"]
    assert [message.to for message in mailoutbox] == [["ada@example.org"]]


def test_a_deleted_article_can_be_recovered_from_its_last_version(
    editor_client, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        save_article(
            editor_client, article, image=upload("gone.jpg", photo_bytes(600, 400)), image_alt="A"
        )
        editor_client.post(f"/admin/news/article/{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(pk=article.pk).exists()
    listing = editor_client.get("/admin/news/article/recover/").content.decode()
    assert "Cities meet" in listing
    version = Version.objects.get_deleted(Article).get()
    form = editor_client.get(f"/admin/news/article/recover/{version.pk}/")
    assert "no longer stored" in form.content.decode()
    data = change_form_data(form, _save="Save")
    assert editor_client.post(f"/admin/news/article/recover/{version.pk}/", data).status_code == 302
    recovered = Article.objects.get(pk=article.pk)
    assert (recovered.title, recovered.image.name) == ("Cities meet", "")


def test_cancelling_an_event_from_its_form_keeps_a_version_of_the_cancelled_event():
    manager = get_user_model().objects.create_user("canceller", password="pw", is_staff=True)
    manager.groups.add(Group.objects.get(name="Event managers"))
    client = Client()
    client.force_login(manager)
    event = make_event(title="Workshop")
    assert client.post(f"/admin/events/event/{event.pk}/cancel/").status_code == 302
    version = versions_of(event).get()
    assert version.field_dict["status"] == Event.Status.CANCELLED
    assert version.revision.user == manager
    assert version.revision.get_comment().startswith("Cancelled")
