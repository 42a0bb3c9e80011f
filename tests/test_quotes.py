"""People, quotations and where the public sees them."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from news.models import Article
from quotes.models import Quote
from taskforce.models import Organisation
from tests.makers import make_article, make_person, make_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def iso():
    return Organisation.objects.create(
        name="International Organization for Standardization", short_name="ISO", slug="iso"
    )


def test_quotes_from_unpublished_articles_stay_hidden():
    standalone = make_quote()
    live = make_quote(article=make_article())
    make_quote(article=make_article(status=Article.Status.DRAFT))
    make_quote(article=make_article(publish_at=timezone.now() + timedelta(days=1)))
    assert set(Quote.objects.public()) == {standalone, live}
    assert set(Quote.objects.public_in_bulk()) == {standalone, live}


def test_speaker_role_defaults_to_the_persons_role_when_quoted():
    person = make_person(role="ISO Secretary-General")
    quote = Quote(text="Words.", person=person)
    quote.full_clean()
    assert quote.speaker_role == "ISO Secretary-General"
    quote.save()
    person.role = "Former Secretary-General"
    person.save()
    quote.refresh_from_db()
    assert quote.speaker_role == "ISO Secretary-General"


def test_quotes_page_groups_quotes_by_person(client, iso):
    mujica = make_person(name="Sergio Mujica", slug="sergio-mujica", organisation=iso)
    lee = make_person(name="Chaesub Lee", slug="chaesub-lee")
    make_quote(person=mujica, text="Numbered second by the editors.", order=2)
    make_quote(person=mujica, text="Older from Mujica.")
    make_quote(person=lee, text="From Lee.")
    make_quote(person=mujica, text="Newer from Mujica.")
    make_person(name="Never Quoted")
    html = client.get("/en/quotes/").content.decode()
    lee_at, mujica_at = html.index("Chaesub Lee"), html.index("Sergio Mujica")
    assert lee_at < html.index("From Lee.") < mujica_at
    # The editors' numbering first, then the newest.
    assert (
        mujica_at
        < html.index("Newer from Mujica.")
        < html.index("Older from Mujica.")
        < html.index("Numbered second by the editors.")
    )
    assert "Never Quoted" not in html
    assert "All quotes by" not in html  # every quote is already on the page
    assert '<a href="/en/quotes/" aria-current="page">Quotes</a>' in html


@pytest.mark.parametrize("public_quotes, links_to_the_rest", [(5, True), (3, False)])
def test_quotes_page_shows_three_quotes_per_person_and_links_to_the_rest_if_any(
    client, public_quotes, links_to_the_rest
):
    person = make_person(name="Sergio Mujica", slug="sergio-mujica")
    for n in range(public_quotes):
        make_quote(person=person, text=f"Public quote {n}.", order=n)
    make_quote(person=person, text="From a draft.", article=make_article(status="draft"))
    html = client.get("/en/quotes/").content.decode()
    assert [n for n in range(public_quotes) if f"Public quote {n}." in html] == [0, 1, 2]
    assert "From a draft." not in html
    link = '<a href="/en/people/sergio-mujica/">All quotes by Sergio Mujica</a>'
    assert (link in html) is links_to_the_rest


def test_quotes_page_lists_ten_people_a_page(client):
    for n in range(11):
        make_quote(person=make_person(name=f"Speaker {n:02}"))
    first = client.get("/en/quotes/").content.decode()
    assert "Speaker 09" in first
    assert "Speaker 10" not in first
    assert '<a href="?page=2" rel="next">Next</a>' in first
    second = client.get("/en/quotes/", {"page": 2}).content.decode()
    assert "Speaker 10" in second
    assert "Speaker 09" not in second
    assert '<a href="?page=1" rel="prev">Previous</a>' in second
    assert 'rel="next"' not in second
    assert client.get("/en/quotes/", {"page": 3}).status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "2", "1.5", "9" * 30])
def test_quotes_page_bad_or_missing_page_is_not_found(client, page):
    make_quote()
    assert client.get("/en/quotes/", {"page": page}).status_code == 404


def test_person_page_lists_their_public_quotes(client, iso):
    person = make_person(
        name="Sergio Mujica", slug="sergio-mujica", role="ISO Secretary-General", organisation=iso
    )
    article = make_article(title="The launch")
    make_quote(person=person, text="Shown.", article=article)
    make_quote(person=person, text="From a draft.", article=make_article(status="draft"))
    response = client.get("/en/people/sergio-mujica/")
    html = response.content.decode()
    assert "<h1>Sergio Mujica</h1>" in html
    assert (
        'ISO Secretary-General, <a href="/en/organisations/iso/">'
        "International Organization for Standardization</a>" in html
    )
    assert '<blockquote class="quote"><p>Shown.</p></blockquote>' in html
    assert f'<a href="{article.get_absolute_url()}">The launch</a>' in html
    assert "From a draft." not in html
    assert client.get("/en/people/nobody/").status_code == 404


def test_person_page_shows_twenty_quotes_a_page(client):
    person = make_person(name="Sergio Mujica", slug="sergio-mujica")
    for n in range(25):
        make_quote(person=person, text=f"Quote {n:02}.", order=n)
    make_quote(person=person, text="From a draft.", article=make_article(status="draft"))
    first = client.get("/en/people/sergio-mujica/").content.decode()
    assert [n for n in range(25) if f"Quote {n:02}." in first] == list(range(20))
    assert "Quotes (1\u201320 of 25)" in first  # an en dash
    assert '<a href="?page=2" rel="next">' in first
    second = client.get("/en/people/sergio-mujica/", {"page": 2}).content.decode()
    assert [n for n in range(25) if f"Quote {n:02}." in second] == list(range(20, 25))
    assert "From a draft." not in first + second
    assert "<title>Sergio Mujica (page 2)" in second


@pytest.mark.parametrize("page", ["3", "0", "abc", "-1"])
def test_person_page_out_of_range_is_not_found(client, page):
    person = make_person(slug="sergio-mujica")
    for _ in range(21):
        make_quote(person=person)
    assert client.get("/en/people/sergio-mujica/", {"page": page}).status_code == 404


def test_person_without_public_quotes_has_no_page(client):
    person = make_person(slug="only-in-a-draft")
    make_quote(person=person, article=make_article(status="draft"))
    assert client.get("/en/people/only-in-a-draft/").status_code == 404


def test_article_page_shows_its_quotes_with_speaker(client, iso):
    person = make_person(name="Sergio Mujica", slug="sergio-mujica", organisation=iso)
    article = make_article()
    make_quote(person=person, article=article, text="We share a huge opportunity.",
               speaker_role="ISO Secretary-General")  # fmt: skip
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<blockquote class="quote"><p>We share a huge opportunity.</p></blockquote>' in html
    cite = (
        '<cite><a href="/en/people/sergio-mujica/">Sergio Mujica</a></cite>, ISO Secretary-General'
    )
    assert cite in html


def test_home_shows_featured_quotes_with_name_role_and_organisation(client, iso):
    person = make_person(name="Sergio Mujica", slug="sergio-mujica", organisation=iso)
    make_quote(
        person=person, text="Featured words.", featured=True, speaker_role="ISO Secretary-General"
    )
    make_quote(person=person, text="Not featured.")
    make_quote(person=person, text="Featured but draft.", featured=True,
               article=make_article(status="draft"))  # fmt: skip
    html = client.get("/en/").content.decode()
    assert '<blockquote class="quote"><p>Featured words.</p></blockquote>' in html
    assert "<cite>" in html
    # The role names the organisation already: it is not repeated after it.
    assert "Sergio Mujica</a></cite>, ISO Secretary-General</figcaption>" in html
    assert "Not featured." not in html
    assert "Featured but draft." not in html


# Admin


def test_editors_group_has_rights_on_news_and_quotes_only():
    editors = Group.objects.get(name="Editors")
    apps = set(editors.permissions.values_list("content_type__app_label", flat=True))
    assert apps == {"news", "quotes", "taskforce"}
    taskforce = editors.permissions.filter(content_type__app_label="taskforce")
    assert list(taskforce.values_list("codename", flat=True)) == ["view_organisation"]
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_article", "change_article", "delete_quote", "change_person"} <= codenames
    assert not any("user" in codename or "group" in codename for codename in codenames)


@pytest.fixture
def editor_client(client):
    editor = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


def test_editor_writes_an_article_with_a_quote_in_the_admin(editor_client, client):
    person = make_person(name="Philippe Metzger", role="IEC General Secretary")
    response = editor_client.get("/admin/news/article/add/")
    assert response.status_code == 200
    assert "Quotes" in response.content.decode()
    response = editor_client.post(
        "/admin/news/article/add/",
        {
            "title_en": "New standards for cities",
            "slug": "new-standards-for-cities",
            "summary_en": "Short.",
            "body_en": '<p>Body <script>alert(1)</script><a href="javascript:x()">x</a></p>',
            "status": "published",
            "publish_at_0": "2020-10-08",
            "publish_at_1": "09:00:00",
            "quotes-TOTAL_FORMS": "1",
            "quotes-INITIAL_FORMS": "0",
            "quotes-0-text_en": "This conversation is now of more urgency than ever.",
            "quotes-0-person": str(person.pk),
            "quotes-0-speaker_role_en": "",
            "quotes-0-order": "0",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    article = Article.objects.get(slug="new-standards-for-cities")
    assert "<script" not in article.body
    assert "javascript:" not in article.body
    quote = article.quotes.get()
    assert quote.person == person
    assert quote.speaker_role == "IEC General Secretary"
    client.logout()
    html = client.get("/en/news/new-standards-for-cities/").content.decode()
    assert "This conversation is now of more urgency than ever." in html


def test_article_admin_lists_live_state_and_publishes_and_unpublishes(editor_client):
    draft = make_article(title="Waiting", status=Article.Status.DRAFT)
    response = editor_client.get("/admin/news/article/")
    assert "live on the site" in response.content.decode().lower()
    editor_client.post(
        "/admin/news/article/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.is_live
    editor_client.post(
        "/admin/news/article/", {"action": "unpublish", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_publishing_and_unpublishing_is_in_the_history_of_each_article_changed(editor_client):
    drafts = [make_article(status=Article.Status.DRAFT) for _ in range(2)]
    live = make_article()
    selected = [*drafts, live]

    def post(action):
        ids = [article.pk for article in selected]
        return editor_client.post(
            "/admin/news/article/", {"action": action, "_selected_action": ids}, follow=True
        )

    assert "2 articles published." in post("publish").content.decode()
    assert "3 articles returned to draft." in post("unpublish").content.decode()
    editor = get_user_model().objects.get(username="editor")
    for article in drafts:
        entries = LogEntry.objects.filter(object_id=str(article.pk)).order_by("pk")
        assert [(e.get_change_message(), e.user) for e in entries] == [
            ("Published (list action).", editor),
            ("Returned to draft (list action).", editor),
        ]
    entries = LogEntry.objects.filter(object_id=str(live.pk))
    assert [e.get_change_message() for e in entries] == ["Returned to draft (list action)."]
    history = editor_client.get(f"/admin/news/article/{live.pk}/history/").content.decode()
    assert "Returned to draft (list action)." in history
    assert "editor" in history


def test_article_form_allows_exactly_the_editors_import_map(editor_client):
    csp = editor_client.get("/admin/news/article/add/")["Content-Security-Policy"]
    assert "'sha256-" in csp
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src
    assert "sha256-" not in editor_client.get("/admin/")["Content-Security-Policy"]


def test_editors_can_pick_organisations_people_and_topics(editor_client, iso):
    for app_label, model, field in [
        ("news", "article", "organisations"),
        ("news", "article", "topics"),
        ("quotes", "quote", "person"),
    ]:
        response = editor_client.get(
            "/admin/autocomplete/",
            {"app_label": app_label, "model_name": model, "field_name": field, "term": ""},
        )
        assert response.status_code == 200, (model, field)


def test_a_quote_names_the_speakers_organisation_unless_their_role_does(iso):
    person = make_person(name="Sergio Mujica", organisation=iso)
    assert make_quote(person=person, speaker_role="Secretary-General").speaker_organisation == "ISO"
    assert (
        make_quote(person=person, speaker_role="ISO Secretary-General").speaker_organisation == ""
    )
    # A word that only contains the name is not the name.
    assert make_quote(person=person, speaker_role="Isolation expert").speaker_organisation == "ISO"
