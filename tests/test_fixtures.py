"""The launch release in fixtures/ matches the press release, word for word."""

import html
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from events.models import Event
from news.models import Article, Topic
from quotes.models import Person, Quote
from taskforce.models import Organisation

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
RELEASE = (Path(__file__).parent / "data" / "press-release.txt").read_text(encoding="utf-8")
FIXTURES = sorted(str(path) for path in (BASE_DIR / "fixtures").glob("*.json"))
ARTICLE_SLUG = "itu-iso-iec-joint-task-force-smart-cities"


def release_paragraphs():
    return [paragraph.strip() for paragraph in re.split(r"\n\s*\n", RELEASE) if paragraph.strip()]


def release_quotations():
    """(passage, speaker's surname) for each passage in curly quotes, as attributed."""
    quotations = []
    for paragraph in release_paragraphs():
        for match in re.finditer(r"“(.*?)”", paragraph):
            attribution = paragraph[match.end() :]
            surname = next(name for name in ("Mujica", "Metzger", "Lee") if name in attribution)
            quotations.append((match.group(1), surname))
    return quotations


@pytest.fixture
def loaded():
    call_command("loaddata", *FIXTURES, verbosity=0)


def test_the_release_has_eight_quotations():
    assert len(release_quotations()) == 8


def test_article_carries_every_paragraph_of_the_release(loaded):
    article = Article.objects.published().get(slug=ARTICLE_SLUG)
    paragraphs = release_paragraphs()
    assert len(paragraphs) == 20
    for paragraph in paragraphs:
        assert f"<p>{html.escape(paragraph, quote=False)}</p>" in article.body, paragraph
    assert article.body.count("<p>") == len(paragraphs)


def test_article_is_dated_before_the_world_standards_day_it_calls_upcoming(loaded):
    article = Article.objects.get(slug=ARTICLE_SLUG)
    assert (article.publish_at.year, article.publish_at.month) == (2020, 10)
    assert article.publish_at.day < 14
    assert set(article.organisations.values_list("short_name", flat=True)) == {
        "ITU",
        "ISO",
        "IEC",
        "WSC",
    }
    assert {"smart-cities", "covid-19", "sdg-11", "digital-transformation"} <= set(
        article.topics.values_list("slug", flat=True)
    )


def test_all_eight_quotations_word_for_word_with_their_speaker(loaded):
    """The comma that joins a quotation to its "said …" is stored as a full stop."""
    article = Article.objects.get(slug=ARTICLE_SLUG)
    quotes = list(article.quotes.select_related("person").order_by("order"))
    assert len(quotes) == 8
    for quote, (passage, surname) in zip(quotes, release_quotations(), strict=True):
        expected = passage[:-1] + "." if passage.endswith(",") else passage
        assert quote.text == expected
        assert quote.person.name.endswith(surname)
    assert Quote.objects.filter(text="This conversation is now of more urgency than ever.").exists()
    assert Quote.objects.featured().count() >= 1


def test_people_have_their_roles_and_organisations(loaded):
    roles = {
        person.name: (person.role, person.organisation.short_name)
        for person in Person.objects.select_related("organisation")
    }
    assert roles == {
        "Sergio Mujica": ("ISO Secretary-General", "ISO"),
        "Philippe Metzger": ("IEC General Secretary", "IEC"),
        "Chaesub Lee": ("Director of the ITU Telecommunication Standardization Bureau", "ITU"),
    }


def test_loading_twice_changes_nothing(loaded):
    def snapshot():
        return {
            model.__name__: list(model.objects.order_by("pk").values())
            for model in (Organisation, Topic, Article, Person, Quote)
        } | {
            "article topics": list(Article.topics.through.objects.order_by("pk").values()),
            "article organisations": list(
                Article.organisations.through.objects.order_by("pk").values()
            ),
        }

    before = snapshot()
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert snapshot() == before


def test_the_release_reads_in_french_as_the_bodies_write_it(loaded):
    from django.utils import translation

    q = "\N{RIGHT SINGLE QUOTATION MARK}"  # the French apostrophe
    with translation.override("fr"):
        title = Article.objects.get().title
        roles = {person.name: person.role for person in Person.objects.all()}
        names = {body.short_name: body.name for body in Organisation.objects.all()}
        english = {body.short_name_en: body.short_name for body in Organisation.objects.all()}
    assert title.startswith(f"L{q}UIT, l{q}ISO et l{q}IEC forment un groupe d{q}action")
    assert roles["Sergio Mujica"] == f"Secrétaire général de l{q}ISO"
    assert roles["Chaesub Lee"] == (
        f"Directeur du Bureau de la normalisation des télécommunications de l{q}UIT"
    )
    assert names["UIT"] == "Union internationale des télécommunications"
    # ITU is UIT in French; ISO, IEC and WSC keep their English abbreviations.
    assert english == {"ITU": "UIT", "ISO": "ISO", "IEC": "IEC", "WSC": "WSC"}
    assert all(quote.has_translation("fr") for quote in Quote.objects.all())
    assert all(event.has_translation("fr") for event in Event.objects.all())


def test_the_french_release_quotes_each_french_quotation_word_for_word(loaded):
    from django.utils import translation

    with translation.override("fr"):
        article = Article.objects.get()
        body = article.body
        quotations = [quote.text for quote in Quote.objects.all()]
        event_body_languages = {event.language_of("body") for event in Event.objects.all()}
        assert article.language_of("body") == "fr"
    assert "traduction de l\N{RIGHT SINGLE QUOTATION MARK}original anglais" in body
    for text in quotations:  # "« … », a déclaré" drops the quotation's full stop
        assert text.removesuffix(".") in body
    assert event_body_languages == {"fr"}
