"""A visitor with a French browser reads, registers and switches language; axe in French."""

import re

import icalendar
import pytest
from playwright.sync_api import expect

from tests.events_helpers import make_event, manage_path

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def french_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_french_visitor_registers_in_french_and_can_switch_to_english(
    french_page, assert_accessible, mailoutbox
):
    page = french_page
    event = make_event(title="Normes pour des villes résilientes", capacity=5)
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape("/fr/") + "$"))
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Le Groupe d\N{RIGHT SINGLE QUOTATION MARK}action conjoint sur les villes intelligentes"
    )
    assert_accessible(page)

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Événements"
    ).click()
    page.get_by_role("link", name=event.title).click()
    expect(page.get_by_text("5 places restantes")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="S’inscrire").click()  # noqa: RUF001
    message = page.get_by_text("Veuillez accepter la politique de confidentialité")
    expect(message.first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Retour à la page de l’événement").click()  # noqa: RUF001
    page.get_by_label("Nom").fill("Camille Dupont")
    page.get_by_label("Adresse électronique").fill("camille@example.org")
    page.get_by_label("J’accepte la politique de confidentialité ci-dessus").check()  # noqa: RUF001
    page.get_by_role("button", name="S’inscrire").click()  # noqa: RUF001
    assert page.get_by_role("heading", level=1).inner_text() == "Vous êtes inscrit·e"
    assert_accessible(page)

    (confirmation,) = mailoutbox
    assert confirmation.subject == f"Vous êtes inscrit·e\N{NO-BREAK SPACE}: {event.title}"
    assert "Votre place est confirmée" in confirmation.body
    (vevent,) = icalendar.Calendar.from_ical(confirmation.attachments[0][1]).walk("VEVENT")
    assert "/fr/events/" in str(vevent["URL"])

    page.goto(manage_path(confirmation.body))
    assert "Confirmée" in page.get_by_role("main").inner_text()
    assert_accessible(page)

    page.goto(event.get_absolute_url().replace("/en/", "/fr/"))
    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(re.escape(event.get_absolute_url()) + "$"))
    assert page.get_by_role("heading", level=1).inner_text() == event.title
    expect(page.get_by_role("button", name="Register")).to_be_visible()


def test_local_times_are_added_in_the_pages_language(browser, live_server):
    event = make_event(time_zone="Asia/Tokyo")
    context = browser.new_context(base_url=live_server.url, timezone_id="Europe/Paris")
    page = context.new_page()
    page.goto(event.get_absolute_url().replace("/en/", "/fr/"))
    local = page.locator(".local-time").first.inner_text()
    context.close()
    assert local.endswith("chez vous")
