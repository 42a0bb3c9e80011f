"""News and quotes in a real browser: reading the release, editing in the admin, accessibility."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = sorted(str(path) for path in (Path(__file__).parents[2] / "fixtures").glob("*.json"))
RELEASE_TITLE = "ITU, ISO and IEC form a Joint Task Force to help cities rethink their future"
SPEAKERS = {"Sergio Mujica": 2, "Philippe Metzger": 4, "Chaesub Lee": 2}
# What the reader sees of the release in each language: its title, a quote and a word of one.
RELEASE = {
    "en": {
        "title": RELEASE_TITLE,
        "quote": "This conversation is now of more urgency than ever.",
        "search": "vulnerable",
        "found": "cities are also deeply vulnerable",
    },
    "fr": {
        "title": "L\N{RIGHT SINGLE QUOTATION MARK}UIT, l\N{RIGHT SINGLE QUOTATION MARK}ISO et "
        "l\N{RIGHT SINGLE QUOTATION MARK}IEC forment un groupe d\N{RIGHT SINGLE QUOTATION MARK}"
        "action conjoint",
        "quote": "Ce dialogue est aujourd\N{RIGHT SINGLE QUOTATION MARK}hui plus urgent que "
        "jamais.",
        "search": "vulnérables",
        "found": "les villes sont aussi profondément vulnérables",
    },
}


@pytest.fixture
def release():
    call_command("loaddata", *FIXTURES, verbosity=0)


def test_reader_goes_from_home_to_the_release_and_sees_every_quote_attributed(page, release, words):
    read = RELEASE[words.language]
    page.goto(words.path("/"))
    page.get_by_role("navigation", name=words("Main")).get_by_role(
        "link", name=words("News")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words("News"))
    page.get_by_role("link", name=re.compile(re.escape(read["title"]))).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(read["title"])
    quotes = page.locator("#article-quotes + figure, #article-quotes ~ figure")
    expect(quotes).to_have_count(8)
    speakers = quotes.locator("cite").all_inner_texts()
    assert {name: speakers.count(name) for name in SPEAKERS} == SPEAKERS
    expect(quotes.filter(has_text=read["quote"]).locator("cite")).to_have_text("Philippe Metzger")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/news/",
        "/news/itu-iso-iec-joint-task-force-smart-cities/",
        "/news/topics/smart-cities/",
        "/quotes/",
        "/people/philippe-metzger/",
        "/search/?q=cities",
        "/search/?q=",
        "/events/",
        "/events/past/",
    ],
)
def test_public_page_has_no_accessibility_violations(page, assert_accessible, release, words, path):
    page.goto(words.path(path))
    expect(page.locator("html")).to_have_attribute("lang", words.language)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_accessible(page)


def test_search_from_the_header_finds_a_quote(page, release, words):
    read = RELEASE[words.language]
    page.goto(words.path("/"))
    search = page.get_by_role("search", name=words("Site"), exact=True)
    search.get_by_label(words("Search news, quotes, events and people")).fill(read["search"])
    search.get_by_role("button", name=words("Search")).click()
    expect(page).to_have_url(re.compile(re.escape(words.path("/search/?q=")) + ".+$"))
    expect(page.get_by_text(read["found"]).first).to_be_visible()


@pytest.fixture
def editors_group():
    """Transactional tests flush what migrations created; make the group as its migration does."""
    migration = importlib.import_module("quotes.migrations.0002_editors_group")
    migration.create_editors_group(django_apps, schema_editor=None)
    return Group.objects.get(name="Editors")


def test_editor_publishes_an_article_with_a_quote_and_sees_it(page, release, editors_group):
    editor = get_user_model().objects.create_user(
        "editor", password="a-long-Pass-phrase-9", is_staff=True
    )
    editor.groups.add(editors_group)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a-long-Pass-phrase-9")
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/news/article/add/")

    page.get_by_label("Title [en]").press_sequentially("Standards day celebrates cities")
    assert page.get_by_label("Slug").input_value() == "standards-day-celebrates-cities"
    page.get_by_label("Summary [en]").fill("World Standards Day looks at smart cities.")
    editor_area = page.get_by_role("textbox").and_(page.locator(".field-body_en .ProseMirror"))
    editor_area.click()
    page.keyboard.type("Experts worldwide celebrate the collaborative work of standards.")
    page.get_by_label("Status").select_option("published")
    page.locator("#id_publish_at_0").fill("2024-10-14")

    page.get_by_role("button", name="Add another Quote").click()
    page.locator("#id_quotes-0-text_en").fill("Standards help every city.")
    page.locator("#quotes-0 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Metzger")
    page.get_by_role("option", name="Philippe Metzger").click()
    page.get_by_role("button", name="Save", exact=True).click()
    assert "was added successfully" in page.locator(".messagelist").inner_text()
    assert not [error for error in errors if "Content Security Policy" in error], errors

    page.goto("/en/news/")
    page.get_by_role("link", name="Standards day celebrates cities").click()
    expect(page.get_by_text("Experts worldwide celebrate the collaborative work")).to_be_visible()
    quote = page.locator("figure", has_text="Standards help every city.")
    assert quote.locator("cite").inner_text() == "Philippe Metzger"
