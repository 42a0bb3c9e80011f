"""An event's times in its own zone, and beside them the visitor's, added by local-time.js."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Words
from tests.events_helpers import make_event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def visit(browser, live_server):
    """Open a page in a browser whose clock is in the given zone, with or without JavaScript."""
    contexts = []

    def open_page(path, timezone_id, java_script_enabled=True, **options):
        context = browser.new_context(
            base_url=live_server.url,
            timezone_id=timezone_id,
            java_script_enabled=java_script_enabled,
            **options,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(path)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def zurich_event():
    # 14:00-16:00 in Zurich (CET, UTC+1) is 22:00 to midnight in Tokyo (UTC+9).
    return make_event(
        title="Standards for resilient cities",
        start=datetime(2030, 1, 15, 13, 0, tzinfo=UTC),
        end=datetime(2030, 1, 15, 15, 0, tzinfo=UTC),
        time_zone="Europe/Zurich",
    )


SEEN = """element => {
  const copy = element.cloneNode(true);
  copy.querySelectorAll(".visually-hidden").forEach((hidden) => hidden.remove());
  return copy.textContent.replace(/\\s+/g, " ").trim();
}"""
HEARD = """element => {
  const copy = element.cloneNode(true);
  copy.querySelectorAll("[aria-hidden=true]").forEach((hidden) => hidden.remove());
  return copy.textContent.replace(/\\s+/g, " ").trim();
}"""


# The Zurich event as each language writes it (its spaces as seen: SEEN reads a no-break
# space as any other), and the same moments on a Tokyo clock, added by the script.
SHOWN = {
    "en": "Tuesday 15 January 2030, 14:00\N{EN DASH}16:00 CET (Europe/Zurich)",
    "fr": "mardi 15 janvier 2030, 14 h 00\N{EN DASH}16 h 00 CET (Europe/Zurich)",
}
IN_TOKYO = {
    "en": "22:00 \N{EN DASH} Wednesday 16 January 00:00 your time",
    "fr": "22 h 00 \N{EN DASH} mercredi 16 janvier 0 h 00 chez vous",
}

OPENS = {
    "en": "Registration opens on 10 January 2030, 09:00 CET (Europe/Zurich) · 03:00 your time.",
    "fr": "Les inscriptions ouvrent le 10 janvier 2030, 9 h 00 CET (Europe/Zurich) · 3 h 00 "
    "chez vous.",
}


def when(page, words, read=SEEN):
    """The event's time as seen, or as a screen reader reads it (without what is aria-hidden)."""
    return page.locator(f"dt:text('{words('When')}') + dd").evaluate(read)


def test_a_visitor_in_tokyo_sees_the_events_time_and_their_own(
    visit, zurich_event, assert_accessible, words
):
    shown, in_tokyo = SHOWN[words.language], IN_TOKYO[words.language]
    page = visit(words.url(zurich_event), "Asia/Tokyo")
    expect(page.locator(".local-time").first).to_be_attached()
    assert when(page, words) == f"{shown} · {in_tokyo}"
    assert when(page, words, read=HEARD) == f"{shown}, {in_tokyo}"
    assert_accessible(page)
    page.goto(words.path("/events/"))
    listed = page.locator(".meta").first.evaluate(SEEN)
    assert f"(Europe/Zurich) · {in_tokyo}" in listed


def test_without_javascript_the_events_zone_stands_alone(visit, zurich_event, words):
    page = visit(words.url(zurich_event), "Asia/Tokyo", java_script_enabled=False)
    assert when(page, words) == SHOWN[words.language]


@pytest.mark.parametrize("zone", ["Europe/Zurich", "Europe/Berlin"])
def test_a_visitor_whose_clock_reads_the_same_sees_one_time(visit, zurich_event, zone):
    words = Words("en")
    page = visit(zurich_event.get_absolute_url(), zone)
    assert when(page, words) == SHOWN["en"]
    assert page.locator(".local-time").count() == 0


def test_the_opening_of_registration_is_shown_on_both_clocks(visit, words):
    event = make_event(
        start=datetime(2030, 1, 15, 13, 0, tzinfo=UTC),
        end=datetime(2030, 1, 15, 15, 0, tzinfo=UTC),
        registration_opens_at=datetime(2030, 1, 10, 8, 0, tzinfo=UTC),
        time_zone="Europe/Zurich",
    )
    page = visit(words.url(event), "America/New_York")
    opens = page.get_by_text(words("Registration opens on"))
    expect(opens.locator(".local-time")).to_be_attached()
    assert opens.evaluate(SEEN) == OPENS[words.language]


def test_a_french_visitor_reads_the_first_of_the_month_as_1er_on_their_own_clock(visit):
    # 14:00-16:00 in Zurich on 31 January is 22:00 to midnight, 1 February, in Tokyo.
    event = make_event(
        start=datetime(2030, 1, 31, 13, 0, tzinfo=UTC),
        end=datetime(2030, 1, 31, 15, 0, tzinfo=UTC),
        time_zone="Europe/Zurich",
    )
    words = Words("fr")
    page = visit(words.url(event), "Asia/Tokyo")
    expect(page.locator(".local-time").first).to_be_attached()
    assert when(page, words).endswith("· 22 h 00 \N{EN DASH} vendredi 1er février 0 h 00 chez vous")
