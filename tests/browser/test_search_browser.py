"""Search and the topics index in a real browser: filters, pages of results, accessibility."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.events_helpers import make_event
from tests.makers import make_article

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = sorted(str(path) for path in (Path(__file__).parents[2] / "fixtures").glob("*.json"))


# The word searched in each language, and what the release's article is called there.
SEARCHED = {
    "en": ("standards", "Joint Task Force"),
    "fr": ("normes", "groupe d\N{RIGHT SINGLE QUOTATION MARK}action conjoint"),
}


@pytest.fixture
def release():
    call_command("loaddata", *FIXTURES, verbosity=0)
    for n in range(25):
        make_article(
            title=f"Standards note {n}",
            title_fr=f"Note sur les normes {n}",
            summary_fr="Une note sur les normes.",
            body_fr="<p>Une note sur les normes.</p>",
        )
    make_event(title="Standards forum", title_fr="Forum des normes", venue_name="Geneva")


def test_visitor_narrows_a_search_by_kind_and_year_and_pages_on(
    page, assert_accessible, release, words
):
    query, release_title = SEARCHED[words.language]
    page.goto(words.path(f"/search/?q={query}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Search"))
    expect(page.get_by_role("heading", name=words("Events"))).to_be_visible()
    assert_accessible(page)

    form = page.get_by_role("search", name=words("Search the site"))
    form.get_by_label(words("Kind")).select_option(words("News"))
    form.get_by_label(words("Year")).select_option("2020")
    form.get_by_role("button", name=words("Search")).click()
    expect(page).to_have_url(re.compile(r"kind=news.*year=2020|year=2020.*kind=news"))
    results = page.locator("ol.results > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(release_title)
    assert_accessible(page)

    form = page.get_by_role("search", name=words("Search the site"))
    form.get_by_label(words("Year")).select_option(words("Any year"))
    form.get_by_role("button", name=words("Search")).click()
    page_of = words("page %(number)s of %(count)s", number=1, count=2)
    expect(page.get_by_role("heading", level=2)).to_contain_text(page_of)
    pages = page.get_by_role("navigation", name=words("Pages of results"))
    pages.get_by_role("link", name=words("Next")).click()
    page_of = words("page %(number)s of %(count)s", number=2, count=2)
    expect(page.get_by_role("heading", level=2)).to_contain_text(page_of)
    expect(page.locator("ol.results > li")).to_have_count(6)
    assert_accessible(page)


def test_topics_index_lists_the_topics_and_leads_to_their_news(
    page, assert_accessible, release, words
):
    page.goto(words.path("/news/"))
    page.get_by_role("link", name=words("Topics"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Topics"))
    assert_accessible(page)
    smart_cities = {"en": "Smart cities", "fr": "Villes intelligentes"}[words.language]
    page.get_by_role("link", name=smart_cities, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(smart_cities)
    page.get_by_role("link", name=words("All topics")).click()
    expect(page).to_have_url(re.compile(re.escape(words.path("/news/topics/")) + "$"))
