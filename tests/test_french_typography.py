"""
French as it is printed: the interface's spaces before ; : ! ? and inside « », times
that never wrap, and the first day of a month written "1er", on every page and email
that shows a day. English reads as before, and what editors wrote is left as they wrote it.
"""

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

from events.models import Event
from taskforce.models import Organisation
from tests.events_helpers import make_event, manage_path, register
from tests.makers import make_article
from tests.typography import EN_DASH, NBSP, NNBSP, at

pytestmark = pytest.mark.django_db

CATALOGUE = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"
PARIS = ZoneInfo("Europe/Paris")
# Tuesday 1 October 2030, 14:00 to 15:30 in Paris.
FIRST_OF_OCTOBER = datetime(2030, 10, 1, 14, 0, tzinfo=PARIS)

# What French typography asks of a translation's text (tags, entities and placeholders
# taken out first: an address's colon or an entity's semicolon is not punctuation).
MARKUP = re.compile(r"<[^>]*>|&#?\w+;|%\(\w+\)[sd]|%[sd]|\{\w+\}")
RULES = [
    (re.compile(rf"(?<!{NNBSP})[;!?]"), "a narrow no-break space (U+202F) before ; ! ?"),
    (re.compile(rf"(?<!{NBSP}):"), "a no-break space (U+00A0) before :"),
    (re.compile(rf"«(?!{NNBSP})|(?<!{NNBSP})»"), "a narrow no-break space inside « »"),
    (re.compile(rf"\s[{NBSP}{NNBSP}]|[{NBSP}{NNBSP}]\s"), "one space, not two"),
]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (email delivery) of what happens inside, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def typography_faults(text):
    text = MARKUP.sub("x", text)
    return [rule for pattern, rule in RULES if pattern.search(text)]


def test_the_rules_catch_what_french_typography_forbids():
    assert typography_faults("Annuler ?") == [RULES[0][1]]
    assert typography_faults("Demain : {title}") == [RULES[1][1]]
    assert typography_faults("« %(query)s »") == [RULES[2][1]]
    assert typography_faults(f"Nouveau lieu {NBSP}:") == [RULES[3][1]]
    assert typography_faults(f"Nouveau lieu{NBSP}:") == []
    assert typography_faults('<a href="https://www.iso.org/">ISO</a>, Genève&nbsp;') == []


def test_every_french_interface_string_is_printed_as_french_is():
    with open(CATALOGUE, "rb") as file:
        catalogue = read_po(file)
    faults = [
        f"{rule}: {text!r}"
        for message in catalogue
        if message.id
        for text in (message.string if message.pluralizable else [message.string])
        for rule in typography_faults(text)
    ]
    assert not faults, "\n".join(faults)


def test_the_french_release_is_printed_as_french_is():
    """The launch release's French, in the fixtures: its text is ours to set as French prints."""
    faults = [
        f"{fixture.name} {item['model']} {name}: {rule}"
        for fixture in sorted((settings.BASE_DIR / "fixtures").glob("*.json"))
        for item in json.loads(fixture.read_text())
        for name, text in item["fields"].items()
        if name.endswith("_fr") and isinstance(text, str)
        for rule in typography_faults(text)
    ]
    assert not faults, "\n".join(faults)


def test_a_french_time_never_wraps_and_the_first_of_the_month_is_1er():
    event = make_event(start=FIRST_OF_OCTOBER, end=FIRST_OF_OCTOBER.replace(hour=15, minute=30))
    with translation.override("fr"):
        assert event.when == (
            f"mardi 1er octobre 2030, {at(14)}{EN_DASH}{at(15, 30)} CEST (Europe/Paris)"
        )
        assert event.moment(event.end) == f"mardi 1er octobre 2030, {at(15, 30)} CEST"
    with translation.override("en"):
        assert event.when == "Tuesday 1 October 2030, 14:00\N{EN DASH}15:30 CEST (Europe/Paris)"


def test_days_over_several_days_and_all_day_events_write_the_first_as_1er():
    event = make_event(
        start=datetime(2030, 9, 30, 9, 0, tzinfo=PARIS),
        end=datetime(2030, 10, 1, 17, 0, tzinfo=PARIS),
    )
    whole_days = make_event(
        start=datetime(2030, 11, 1, tzinfo=PARIS), end=datetime(2030, 11, 3, tzinfo=PARIS)
    )
    Event.objects.filter(pk=whole_days.pk).update(all_day=True)
    whole_days.refresh_from_db()
    with translation.override("fr"):
        assert event.when == (
            f"lundi 30 septembre 2030 {at(9)} {EN_DASH} mardi 1er octobre 2030 {at(17)}"
            " CEST (Europe/Paris)"
        )
        assert whole_days.when == f"vendredi 1er novembre 2030 {EN_DASH} samedi 2 novembre 2030"
    with translation.override("en"):
        assert whole_days.when == f"Friday 1 November 2030 {EN_DASH} Saturday 2 November 2030"


def page_text(response):
    """The page's text, without its tags: times are marked up in <time> elements."""
    return re.sub(r"<[^>]+>", "", response.content.decode())


def test_pages_show_the_first_of_the_month_as_french_writes_it(client):
    body = {"start": FIRST_OF_OCTOBER, "end": FIRST_OF_OCTOBER.replace(hour=16)}
    iso = Organisation.objects.create(name="ISO", name_fr="ISO", short_name="ISO", slug="iso")
    event = make_event(title="Forum", title_fr="Forum des villes", slug="forum", **body)
    event.organisers.add(iso)
    make_article(
        slug="launch",
        title="Launch",
        title_fr="Lancement",
        summary_fr="Le lancement.",
        body_fr="<p>Le lancement.</p>",
        publish_at=datetime(2025, 10, 1, 9, 0, tzinfo=UTC),
        organisations=[iso],
    )
    event_day, article_day = "mardi 1er octobre 2030", "1er octobre 2025"
    expected = {
        "/fr/events/forum/": [f"{event_day}, {at(14)}{EN_DASH}{at(16)} CEST"],
        "/fr/events/": [event_day],
        "/fr/": [event_day, article_day],
        "/fr/organisations/iso/": [event_day, article_day],
        "/fr/search/?q=forum": [event_day],
        "/fr/news/launch/": [article_day],
        "/fr/news/": [article_day],
        "/fr/search/?q=lancement": [article_day],
    }
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC)):
        for path, days in expected.items():
            html = page_text(client.get(path))
            for day in days:
                assert day in html, path
            assert not re.search(r"\b1 (octobre|October)", html), path
        english = client.get("/en/news/launch/").content.decode()
    assert "1 October 2025" in english
    assert "1er" not in english


def test_registration_opening_and_personal_data_dates_read_1er_in_french(client):
    event = make_event(
        start=datetime(2030, 12, 10, 14, 0, tzinfo=PARIS),
        registration_opens_at=datetime(2030, 11, 1, 9, 0, tzinfo=PARIS),
    )
    french = page_text(client.get(f"/fr/events/{event.slug}/"))
    assert f"1er novembre 2030, {at(9)} CET" in french
    assert "1 November 2030, 09:00 CET" in page_text(client.get(f"/en/events/{event.slug}/"))


def test_a_registrants_page_dates_their_consent_as_french_writes_it(
    client, committed, mailoutbox, settings
):
    settings.REGISTRATION_RETENTION_DAYS = 31
    event = make_event(start=datetime(2030, 9, 30, 10, 0, tzinfo=PARIS))
    with time_machine.travel(datetime(2030, 9, 1, 8, 30, tzinfo=UTC), tick=False), committed():
        register(event, email="camille@example.org", language="fr")
    html = page_text(client.get(manage_path(mailoutbox[0].body)))
    # Consent at 08:30 UTC on 1 September; data kept until 31 days after 30 September.
    assert f"1er septembre 2030, {at(8, 30)} UTC" in html
    assert "31 octobre 2030" in html


def test_a_french_email_names_the_first_of_the_month_and_does_not_wrap_the_time(
    committed, mailoutbox
):
    event = make_event(start=FIRST_OF_OCTOBER, end=FIRST_OF_OCTOBER.replace(hour=16))
    with committed():
        register(event, email="camille@example.org", language="fr")
    (confirmation,) = mailoutbox
    assert confirmation.subject == f"Vous êtes inscrit·e{NBSP}: {event.title}"
    for body in (confirmation.body, confirmation.alternatives[0].content):
        assert f"mardi 1er octobre 2030, {at(14)}{EN_DASH}{at(16)} CEST" in body
        assert f"(ne le partagez pas){NBSP}:" in body


def test_what_editors_wrote_in_french_is_left_as_they_wrote_it(client):
    make_article(
        slug="quote",
        title_fr="Une question ?",
        summary_fr="Il a dit : « oui » !",
        body_fr="<p>Pourquoi ? Parce que : « les villes » ; voilà.</p>",
    )
    html = client.get("/fr/news/quote/").content.decode()
    assert ">Une question ?</h1>" in html
    assert "Il a dit : « oui » !" in html
    assert "Pourquoi ? Parce que : « les villes » ; voilà." in html


def test_punctuation_between_two_pieces_of_a_page_is_french_too(client, committed, mailoutbox):
    for number in range(25):
        make_article(title=f"Note {number}", title_fr=f"Note {number}", summary_fr="Une note.")
    online = make_event(slug="online", is_online=True, venue_name="", capacity=1)
    full_list = page_text(client.get("/fr/search/", {"q": "note", "kind": "news"}))
    assert f"Actualités{NBSP}: page 1 sur 2" in full_list
    assert "News: page 1 of 2" in page_text(
        client.get("/en/search/", {"q": "note", "kind": "news"})
    )
    event_page = page_text(client.get("/fr/events/online/"))
    assert f"En ligne{NNBSP}; les participants confirmés reçoivent le lien" in event_page
    refused = client.post("/fr/events/online/register/", {"name": "Ada", "email": "ada@"})
    assert f"Adresse électronique{NBSP}: Saisissez une adresse" in page_text(refused)
    with committed():
        register(online)
        register(online, email="camille@example.org", language="fr")
    waitlisted = mailoutbox[-1]
    assert f"Aucune place ne vous est encore réservée{NBSP}: ne prévoyez pas" in waitlisted.body
    assert (
        f"<strong>Aucune place ne vous est encore réservée</strong>{NBSP}: ne prévoyez pas"
        in waitlisted.alternatives[0].content
    )
