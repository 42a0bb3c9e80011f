"""Organisation pages and an event page with structured data, in a real Chromium with axe."""

import json

import pytest
from playwright.sync_api import expect

from taskforce.models import Organisation
from tests.editing import photo_bytes, upload
from tests.events_helpers import make_event
from tests.makers import make_article, make_person, make_quote

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_an_event_to_its_organisers_and_their_people(page, assert_accessible):
    iso = Organisation.objects.create(
        name="International Organization for Standardization",
        short_name="ISO",
        slug="iso",
        website="https://www.iso.org/",
        description="An independent, non-governmental international organization.",
    )
    Organisation.objects.create(name="World Standards Cooperation", short_name="WSC", slug="wsc")
    sergio = make_person(name="Sergio Mujica", role="ISO Secretary-General", organisation=iso)
    make_quote(person=sergio, article=make_article(organisations=[iso]), text="Rethink cities.")
    event = make_event(
        title="Standards for resilient cities",
        image=upload("hall.jpg", photo_bytes(1600, 900)),
        image_alt="The conference hall",
    )
    event.organisers.add(iso)
    page.goto(event.get_absolute_url())
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Event" and data["name"] == event.title
    expect(page.get_by_role("img", name="The conference hall")).to_be_visible()
    assert_accessible(page)

    main = page.get_by_role("main")
    main.get_by_role("link", name="International Organization for Standardization (ISO)").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "International Organization for Standardization (ISO)"
    )
    expect(page.get_by_role("link", name=event.title)).to_be_visible()
    assert_accessible(page)

    main.get_by_role("link", name="Sergio Mujica").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sergio Mujica"
    main.get_by_role(
        "link", name="International Organization for Standardization", exact=True
    ).click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("(ISO)")
    page.goto("/en/organisations/")
    assert page.get_by_role("heading", level=2).count() == 2
    assert_accessible(page)
