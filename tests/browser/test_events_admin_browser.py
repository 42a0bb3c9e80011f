"""An event manager in a real Chromium: times in the event's zone, lists that fit, asking first."""

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event, OutgoingEmail
from tests.events_helpers import register

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-Pass-phrase-9"
DAY = date(timezone.now().year + 1, 6, 12)
EN_DASH = "\N{EN DASH}"


@pytest.fixture
def manager_page(page):
    """Signed in as a member of Event managers (made as its migration does: tests flush it)."""
    migration = importlib.import_module("events.migrations.0002_event_managers_group")
    migration.create_group(django_apps, schema_editor=None)
    user = get_user_model().objects.create_user("manager", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Event managers"))
    page.goto("/admin/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def fits_the_screen(page):
    """No sideways scrolling, of the page or of the list, on this screen's width."""
    return page.evaluate(
        """() => {
            const list = document.querySelector('.results');
            return document.documentElement.scrollWidth <= window.innerWidth
                && list.scrollWidth <= list.clientWidth;
        }"""
    )


def test_manager_adds_an_event_in_zurich_and_sees_its_times_everywhere(
    manager_page, assert_accessible
):
    page = manager_page
    assert page.viewport_size["width"] == 1280
    page.goto("/admin/events/event/add/")
    page.get_by_label("Title [en]").press_sequentially("Smart cities day")
    page.get_by_label("Summary [en]").fill("A day on the standards that cities use.")
    page.get_by_label("Status").select_option("published")
    page.get_by_label("Time zone").select_option("Europe/Zurich")
    assert page.locator("#id_start_zone").inner_text() == "Europe/Zurich"
    page.get_by_label("Start, date").fill(DAY.isoformat())
    page.get_by_label("Start, time").fill("09:00")
    page.get_by_label("End, date").fill(DAY.isoformat())
    page.get_by_label("End, time").fill("17:00")
    page.get_by_label("Venue name [en]").fill("Kongresshaus Zürich")
    page.get_by_label("Capacity").fill("1")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "was added successfully" in page.locator(".messagelist").inner_text()
    assert "server time" not in page.content()

    row = page.locator("#result_list tr", has_text="Smart cities day")
    assert f"09:00{EN_DASH}17:00 CEST" in row.inner_text()
    assert fits_the_screen(page)

    row.get_by_role("link", name="Smart cities day").click()
    assert page.get_by_label("Start, time").input_value() == "09:00"
    page.get_by_role("link", name="View on site").click()
    page.wait_for_url("**/events/smart-cities-day/")
    assert f"09:00{EN_DASH}17:00 CEST (Europe/Zurich)" in page.get_by_role("main").inner_text()
    assert_accessible(page)


def test_manager_promotes_a_chosen_person_and_cancels_after_being_asked(manager_page, mailoutbox):
    page = manager_page
    event = Event.objects.create(
        title="Standards workshop",
        slug="standards-workshop",
        summary="A workshop.",
        start=timezone.now() + timedelta(days=20),
        end=timezone.now() + timedelta(days=20, hours=3),
        time_zone="Europe/Zurich",
        venue_name="CICG",
        capacity=1,
        status=Event.Status.PUBLISHED,
    )
    register(event, email="seated@example.org")
    register(event, email="first.in.line@example.org", name="Alan Turing")
    register(event, email="chosen@example.org", name="Grace Hopper")

    page.goto("/admin/events/event/")
    assert fits_the_screen(page)
    page.get_by_role("link", name="2", exact=True).click()  # the waiting count
    page.wait_for_url("**/admin/events/registration/?*status__exact=waitlisted")
    assert fits_the_screen(page)
    page.locator("#result_list tr", has_text="Grace Hopper").get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option("promote_registrations")
    page.get_by_role("button", name="Go").click()
    assert page.locator(".messagelist").inner_text() == (
        "1 person promoted from the waiting list and emailed."
    )
    statuses = dict(event.registrations.values_list("email", "status"))
    assert (statuses["chosen@example.org"], statuses["first.in.line@example.org"]) == (
        "confirmed",
        "waitlisted",
    )

    page.goto("/admin/events/event/")
    page.locator("#result_list tr", has_text="Standards workshop").get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option("cancel_events")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("3 people will be emailed.")).to_be_visible()
    assert not OutgoingEmail.objects.filter(kind="event_cancelled").exists()
    assert Event.objects.get(pk=event.pk).status == "published"

    page.get_by_role("button", name="Yes, cancel the event and email 3 people").click()
    assert "1 event cancelled; 3 people emailed." in page.locator(".messagelist").inner_text()
    cancelled = [m.to[0] for m in mailoutbox if m.subject.startswith("Event cancelled")]
    assert sorted(cancelled) == [
        "chosen@example.org",
        "first.in.line@example.org",
        "seated@example.org",
    ]
