"""A visitor registers, cancels and is promoted in a real Chromium; every page passes axe."""

import re

import icalendar
import pytest
from playwright.sync_api import expect

from tests.events_helpers import make_event, manage_path

pytestmark = pytest.mark.django_db(transaction=True)


def fill_and_submit(page, name, email, button="Register"):
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("I agree to the privacy notice above").check()
    page.get_by_role("button", name=button).click()


def test_register_cancel_and_promotion_from_the_waiting_list(page, assert_accessible, mailoutbox):
    event = make_event(title="Standards for resilient cities", capacity=1)

    page.goto("/en/events/")
    assert_accessible(page)
    page.get_by_role("link", name=event.title).click()
    assert page.get_by_role("heading", level=1).inner_text() == event.title
    expect(page.get_by_text("1 seat left")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_be_visible()
    message = page.get_by_text("Please agree to the privacy notice to register.")
    expect(message.first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to the event page").click()
    fill_and_submit(page, "Ada Lovelace", "ada@example.org")
    assert page.get_by_role("heading", level=1).inner_text() == "You are registered"
    assert_accessible(page)
    confirmation = mailoutbox[0]
    assert confirmation.to == ["ada@example.org"]
    (_, ics, _) = confirmation.attachments[0]
    (vevent,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.title

    page.goto(event.get_absolute_url())
    expect(page.get_by_text("Full: waiting list open")).to_be_visible()
    fill_and_submit(page, "Grace Hopper", "grace@example.org", button="Join the waiting list")
    assert page.get_by_role("heading", level=1).inner_text() == "You are on the waiting list"
    assert "in position 1" in page.get_by_role("main").inner_text()

    page.goto(manage_path(confirmation.body))
    assert "Confirmed" in page.get_by_role("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel my registration").click()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, cancel my registration").click()
    assert "Cancelled" in page.get_by_role("main").inner_text()
    assert page.get_by_role("status").inner_text().startswith("Your registration is cancelled")

    promoted = next(m for m in mailoutbox if m.to == ["grace@example.org"] and "seat" in m.subject)
    assert promoted.subject == f"A seat is yours: {event.title}"
    page.goto(manage_path(promoted.body))
    assert "Confirmed" in page.get_by_role("main").inner_text()


def test_past_events_and_home_page_are_accessible(page, assert_accessible):
    make_event(title="Upcoming forum")
    page.goto("/en/events/past/")
    assert page.get_by_role("heading", level=1).inner_text() == "Past events"
    assert_accessible(page)
    page.goto("/en/")
    expect(page.get_by_role("link", name="Upcoming forum")).to_be_visible()
    assert_accessible(page)


def test_a_registrant_sees_downloads_and_erases_their_data(page, assert_accessible, mailoutbox):
    event = make_event(title="Data we keep", capacity=1)
    page.goto(event.get_absolute_url())
    fill_and_submit(page, "Zoë Müller", "zoe@example.org")
    page.goto(manage_path(mailoutbox[0].body))
    main = page.get_by_role("main").inner_text()
    assert "Zoë Müller" in main and "zoe@example.org" in main
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data (JSON)").click()
    assert download.value.suggested_filename == f"registration-{event.slug}.json"
    page.get_by_role("link", name="Erase my data").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Erase your data?"
    assert_accessible(page)
    page.get_by_role("button", name="Yes, erase my data").click()
    assert page.get_by_role("heading", level=1).inner_text() == event.title
    assert "erased" in page.get_by_role("status").inner_text()
    assert "1 seat left" in page.get_by_role("main").inner_text()
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
