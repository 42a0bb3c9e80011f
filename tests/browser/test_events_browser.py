"""A visitor registers, cancels and is promoted in a real Chromium; every page passes axe."""

import re

import icalendar
import pytest
from playwright.sync_api import expect

from tests.events_helpers import make_event, manage_path

pytestmark = pytest.mark.django_db(transaction=True)


TITLES = {"en": "Standards for resilient cities", "fr": "Des normes pour des villes résilientes"}


def make_french_event(**fields):
    """An event written in both languages: each visitor reads it in their own."""
    return make_event(title=TITLES["en"], title_fr=TITLES["fr"], summary_fr="Un atelier.", **fields)


def fill_and_submit(page, words, name, email, button="Register"):
    page.get_by_label(words("Name")).fill(name)
    page.get_by_label(words("Email")).fill(email)
    page.get_by_label(words("I agree to the privacy notice above")).check()
    page.get_by_role("button", name=words(button)).click()


def test_register_cancel_and_promotion_from_the_waiting_list(
    page, assert_accessible, mailoutbox, words
):
    event = make_french_event(capacity=1)
    title = TITLES[words.language]
    heading = page.get_by_role("heading", level=1)

    page.goto(words.path("/events/"))
    assert_accessible(page)
    page.get_by_role("link", name=title).click()
    expect(heading).to_have_text(title)
    expect(
        page.get_by_text(words.plural("%(count)d seat left", "%(count)d seats left", 1))
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name=words("Register")).click()
    expect(page.get_by_role("alert")).to_be_visible()
    message = page.get_by_text(words("Please agree to the privacy notice to register."))
    expect(message.first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=words("Back to the event page")).click()
    fill_and_submit(page, words, "Ada Lovelace", "ada@example.org")
    expect(heading).to_have_text(words("You are registered"))
    assert_accessible(page)
    confirmation = mailoutbox[0]
    assert confirmation.to == ["ada@example.org"]
    assert confirmation.subject == words("You are registered: {title}", title=title)
    (_, ics, _) = confirmation.attachments[0]
    (vevent,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == title

    page.goto(words.url(event))
    expect(page.get_by_text(words("Full: waiting list open"))).to_be_visible()
    fill_and_submit(page, words, "Grace Hopper", "grace@example.org", "Join the waiting list")
    expect(heading).to_have_text(words("You are on the waiting list"))
    position = words(
        "All seats are taken, so you are on the waiting list, in position "
        "<strong>%(position)s</strong>.",
        position=1,
    )
    expect(page.get_by_role("main")).to_contain_text(re.sub("<[^>]+>", "", position))

    page.goto(manage_path(confirmation.body))
    expect(page.get_by_role("main")).to_contain_text(words("Confirmed"))
    assert_accessible(page)
    page.get_by_role("link", name=words("Cancel my registration")).click()
    assert_accessible(page)
    page.get_by_role("button", name=words("Yes, cancel my registration")).click()
    expect(page.get_by_role("main")).to_contain_text(words("Cancelled"))
    cancelled = words("Your registration is cancelled. We have sent you an email.")
    expect(page.get_by_role("status")).to_have_text(cancelled)

    promoted = [m for m in mailoutbox if m.to == ["grace@example.org"]][-1]
    assert promoted.subject == words("A seat is yours: {title}", title=title)
    page.goto(manage_path(promoted.body))
    expect(page.get_by_role("main")).to_contain_text(words("Confirmed"))


def test_past_events_and_home_page_are_accessible(page, assert_accessible, words):
    make_french_event()
    page.goto(words.path("/events/past/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Past events"))
    assert_accessible(page)
    page.goto(words.path("/"))
    expect(page.get_by_role("link", name=TITLES[words.language])).to_be_visible()
    assert_accessible(page)


def test_a_registrant_sees_downloads_and_erases_their_data(
    page, assert_accessible, mailoutbox, words
):
    event = make_french_event(capacity=1)
    page.goto(words.url(event))
    fill_and_submit(page, words, "Zoë Müller", "zoe@example.org")
    page.goto(manage_path(mailoutbox[0].body))
    main = page.get_by_role("main")
    expect(main).to_contain_text("Zoë Müller")
    expect(main).to_contain_text("zoe@example.org")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=words("Download your data (JSON)")).click()
    assert download.value.suggested_filename == f"registration-{event.slug}.json"
    page.get_by_role("link", name=words("Erase my data")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Erase your data?"))
    assert_accessible(page)
    page.get_by_role("button", name=words("Yes, erase my data")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[words.language])
    erased = words(
        "Your registration is cancelled and your name, email address and organisation are "
        "erased. We will not email you again."
    )
    expect(page.get_by_role("status")).to_have_text(erased)
    seat = words.plural("%(count)d seat left", "%(count)d seats left", 1)
    expect(main).to_contain_text(seat)
    assert_accessible(page)


@pytest.mark.parametrize("java_script_enabled", [True, False])
def test_on_a_phone_the_errors_show_at_once_and_lead_to_each_field(
    browser, live_server, assert_accessible, java_script_enabled
):
    event = make_event(title="Standards for resilient, inclusive and sustainable cities")
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        java_script_enabled=java_script_enabled,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(event.get_absolute_url())
    page.get_by_label("Email").fill("ada@")
    page.get_by_role("button", name="Register").click()

    assert page.title().startswith("Error: ")
    summary = page.get_by_role("alert")
    box = summary.bounding_box()
    assert page.evaluate("window.scrollY") == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    assert summary.evaluate("element => element === document.activeElement")
    if java_script_enabled:  # axe-core runs in the page: it needs JavaScript
        assert_accessible(page)

    summary.get_by_role("link", name="Email: Enter a valid email address.").click()
    expect(page).to_have_url(re.compile(re.escape("#id_email") + "$"))
    assert page.get_by_label("Email").evaluate("element => element === document.activeElement")
    context.close()
