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


@pytest.fixture
def release():
    call_command("loaddata", *FIXTURES, verbosity=0)
    for n in range(25):
        make_article(title=f"Standards note {n}")
    make_event(title="Standards forum", venue_name="Geneva")


def test_visitor_narrows_a_search_by_kind_and_year_and_pages_on(page, assert_accessible, release):
    page.goto("/en/search/?q=standards")
    assert page.get_by_role("heading", level=1).inner_text() == "Search"
    expect(page.get_by_role("heading", name="Events")).to_be_visible()
    assert_accessible(page)

    form = page.get_by_role("search", name="Search the site")
    form.get_by_label("Kind").select_option("News")
    form.get_by_label("Year").select_option("2020")
    form.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"kind=news.*year=2020|year=2020.*kind=news"))
    results = page.locator("ol.results > li")
    expect(results).to_have_count(1)
    assert "Joint Task Force" in results.first.inner_text()
    assert_accessible(page)

    form = page.get_by_role("search", name="Search the site")
    form.get_by_label("Year").select_option("Any year")
    form.get_by_role("button", name="Search").click()
    expect(page.get_by_text("News: page 1 of 2")).to_be_visible()
    page.get_by_role("navigation", name="Pages of results").get_by_role("link", name="Next").click()
    expect(page.get_by_text("News: page 2 of 2")).to_be_visible()
    assert page.locator("ol.results > li").count() == 6
    assert_accessible(page)


def test_topics_index_lists_the_topics_and_leads_to_their_news(page, assert_accessible, release):
    page.goto("/en/news/")
    page.get_by_role("link", name="Topics", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Topics"
    assert_accessible(page)
    page.get_by_role("link", name="Smart cities", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Smart cities"
    page.get_by_role("link", name="All topics").click()
    expect(page).to_have_url(re.compile(re.escape("/en/news/topics/") + "$"))
