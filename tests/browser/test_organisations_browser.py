"""Organisation pages and an event page with structured data, in a real Chromium with axe."""

import json

import pytest
from playwright.sync_api import expect

from taskforce.models import Organisation
from tests.editing import photo_bytes, upload
from tests.events_helpers import make_event
from tests.makers import make_article, make_person, make_quote

pytestmark = pytest.mark.django_db(transaction=True)

# What each language calls the bodies and the event.
SHOWN = {
    "en": {
        "iso": "International Organization for Standardization",
        "itu": "International Telecommunication Union (ITU)",
        "event": "Standards for resilient cities",
        "alt": "The conference hall",
    },
    "fr": {
        "iso": "Organisation internationale de normalisation",
        "itu": "Union internationale des télécommunications (UIT)",
        "event": "Des normes pour des villes résilientes",
        "alt": "La salle de conférence",
    },
}


def test_from_an_event_to_its_organisers_and_their_people(page, assert_accessible, words):
    shown = SHOWN[words.language]
    iso = Organisation.objects.create(
        name="International Organization for Standardization",
        name_fr="Organisation internationale de normalisation",
        short_name="ISO",
        slug="iso",
        website="https://www.iso.org/",
        description="An independent, non-governmental international organization.",
        description_fr="Une organisation internationale indépendante et non gouvernementale.",
    )
    itu = Organisation.objects.create(
        name="International Telecommunication Union",
        name_fr="Union internationale des télécommunications",
        short_name="ITU",
        short_name_fr="UIT",
        slug="itu",
    )
    Organisation.objects.create(name="World Standards Cooperation", short_name="WSC", slug="wsc")
    sergio = make_person(
        name="Sergio Mujica",
        role="ISO Secretary-General",
        role_fr="Secrétaire général de l\N{RIGHT SINGLE QUOTATION MARK}ISO",
        organisation=iso,
    )
    make_quote(person=sergio, article=make_article(organisations=[iso]), text="Rethink cities.")
    event = make_event(
        title=SHOWN["en"]["event"],
        title_fr=SHOWN["fr"]["event"],
        summary_fr="Un atelier.",
        image=upload("hall.jpg", photo_bytes(1600, 900)),
        image_alt=SHOWN["en"]["alt"],
        image_alt_fr=SHOWN["fr"]["alt"],
    )
    event.organisers.add(iso, itu)
    page.goto(words.url(event))
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Event" and data["name"] == shown["event"]
    abbreviations = {body["alternateName"]: body["name"] for body in data["organizer"]}
    assert abbreviations == {
        "ISO": shown["iso"],
        "UIT" if words.language == "fr" else "ITU": shown["itu"].rsplit(" (", 1)[0],
    }
    expect(page.get_by_role("img", name=shown["alt"])).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=shown["itu"])).to_be_visible()
    assert_accessible(page)

    main.get_by_role("link", name=f"{shown['iso']} (ISO)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{shown['iso']} (ISO)")
    expect(page.get_by_role("link", name=shown["event"])).to_be_visible()
    assert_accessible(page)

    main.get_by_role("link", name="Sergio Mujica").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sergio Mujica")
    main.get_by_role("link", name=shown["iso"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{shown['iso']} (ISO)")
    page.goto(words.path("/organisations/"))
    expect(page.get_by_role("heading", level=2)).to_have_count(3)
    expect(page.get_by_role("main").get_by_role("link", name=shown["itu"])).to_be_visible()
    assert_accessible(page)
