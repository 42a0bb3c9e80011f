"""The admin in French for a staff member whose browser asks for it, and in English otherwise."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from reversion.models import Version

from events.models import Registration
from taskforce.models import Organisation
from tests.editing import article_form
from tests.events_helpers import make_event, register
from tests.html_forms import form_data
from tests.makers import make_article, make_person, make_quote
from tests.typography import NBSP, NNBSP

pytestmark = pytest.mark.django_db

APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"
PARIS = ZoneInfo("Europe/Paris")


def staff_client(language):
    """An editor and event manager, signed in, whose browser asks for `language`."""
    user = User.objects.create_user(f"staff-{language}", password="x", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=["Editors", "Event managers"]))
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def french():
    return staff_client("fr")


@pytest.fixture
def english():
    return staff_client("en")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def column_headers(html):
    thead = re.search(r'<table id="result_list">.*?</thead>', html, re.DOTALL).group(0)
    return re.findall(r'<div class="text">(?:<a [^>]*>|<span>)([^<]+)<', thead)


def result_list(html):
    """The rows of a change list, or nothing when none matched."""
    found = re.search(r'<table id="result_list">.*?</table>', html, re.DOTALL)
    return found.group(0) if found else ""


def action_names(html):
    select = re.search(r'<select name="action".*?</select>', html, re.DOTALL).group(0)
    return re.findall(r'<option value="\w+">([^<]+)</option>', select)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def action(client, url, name, ids):
    return client.post(
        url, {"action": name, "_selected_action": [str(pk) for pk in ids]}, follow=True
    )


def event_in_october(**fields):
    start = datetime(2030, 10, 14, 10, 0, tzinfo=PARIS)
    return make_event(start=start, end=start + timedelta(hours=2), **fields)


# Lists: column headers, actions, filters


def test_the_article_list_speaks_french(french):
    make_article(title="Launch")
    html = page(french, "/admin/news/article/")
    assert '<html lang="fr"' in html
    assert column_headers(html) == [
        "Image",
        "Titre",
        "État",
        "Date de publication",
        "En ligne sur le site",
    ]
    assert action_names(html) == [
        "Supprimer les articles sélectionnés",
        "Publier les articles sélectionnés (ceux qui sont programmés, à leur heure)",
        "Dépublier les articles sélectionnés (retour au brouillon)",
    ]
    assert "Administration du Groupe d" + APOSTROPHE + "action conjoint" in html
    assert '<td class="field-state">Publié</td>' in html


def test_the_event_list_speaks_french_and_writes_dates_as_french_does(french):
    event = event_in_october(capacity=1, waiting_list_enabled=True)
    register(event)
    register(event)
    html = page(french, "/admin/events/event/")
    assert column_headers(html) == [
        "Titre",
        "Quand",
        "Statut",
        "Capacité",
        "Confirmées",
        "En attente",
    ]
    assert "14 oct. 2030, 10:00\N{EN DASH}12:00 CEST" in html
    assert action_names(html) == [
        "Supprimer les événements sélectionnés",
        "Publier les événements sélectionnés",
        "Dépublier les événements sélectionnés (retour au brouillon)",
        "Exporter leurs inscriptions en CSV",
        f"Attribuer les places libres à la liste d{APOSTROPHE}attente",
        "Annuler les événements sélectionnés…",
    ]
    assert "Par toute la journée" in html  # the filter of all-day events
    assert '<a href="?status__exact=cancelled">Annulé</a>' in html


def test_the_registration_list_speaks_french(french):
    event = event_in_october(title="Forum")
    register(event, name="Grace Hopper")
    html = page(french, "/admin/events/registration/")
    assert column_headers(html) == [
        "Nom",
        "Adresse électronique",
        "Organisation",
        "Événement",
        "Statut",
        f"Date d{APOSTROPHE}inscription",
    ]
    assert "Annuler les inscriptions sélectionnées" in action_names(html)
    assert '<td class="field-status">Confirmée</td>' in html


def test_the_people_and_quote_lists_speak_french(french):
    person = make_person(name="Sergio Mujica", role="ISO Secretary-General")
    make_quote(person=person)
    people = page(french, "/admin/quotes/person/")
    assert column_headers(people) == ["Photo", "Nom", "Fonction ou titre", "Organisation"]
    assert action_names(people)[0].startswith("Supprimer les personnes")  # Django's own action
    quotes = page(french, "/admin/quotes/quote/")
    assert column_headers(quotes) == ["Citation", "Personne", "Article", "À la une", "Ordre"]


def test_the_admin_index_names_the_apps_and_models_in_french(french):
    html = page(french, "/admin/")
    for name in ["Actualités", "Citations", "Événements", "Articles", "Thèmes", "Personnes"]:
        assert f">{name}<" in html
    assert "Contenus et événements" in html
    assert "Courriels sortants" in html


# Forms: labels, help texts, fieldsets, validation


def test_the_article_form_speaks_french(french):
    article = make_article()
    html = page(french, f"/admin/news/article/{article.pk}/change/")
    assert "Titre [en]" in html
    assert f"Le chapeau{NBSP}: une ou deux phrases affichées dans les listes et les flux." in html
    assert ">Publication<" in html and ">Classement<" in html
    assert "Enregistrer comme modifications en brouillon" in html  # the article is live
    assert "Cet article est en ligne." in html


def test_the_event_form_speaks_french(french):
    event = make_event()
    html = page(french, f"/admin/events/event/{event.pk}/change/")
    for text in [
        "Fuseau horaire",
        f"Nombre de places{NNBSP}; laisser vide pour ne fixer aucune limite.",
        f"Vide{NBSP}: closes au début de l" + APOSTROPHE + "événement.",
        ">Quand<",
        ">Où<",
        ">Inscriptions<",
        "Annuler l" + APOSTROPHE + "événement",
        'aria-label="Début, date"',
    ]:
        assert text in html, text


def test_the_person_form_speaks_french(french):
    person = make_person()
    html = page(french, f"/admin/quotes/person/{person.pk}/change/")
    assert "Fonction actuelle, par exemple Secrétaire général de l" + APOSTROPHE + "ISO." in html
    assert "Texte alternatif de la photo" in html


def post_event_change(client, event, **fields):
    response = client.get(f"/admin/events/event/{event.pk}/change/")
    data = form_data(response.content.decode(), "event_form")
    data.update({name: [value] for name, value in fields.items()})
    response = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def test_the_event_forms_errors_are_in_french(french):
    event = make_event(time_zone="Europe/Paris")
    errors = post_event_change(
        french,
        event,
        registration_opens_at_0="2030-03-20",
        registration_opens_at_1="09:00",
        registration_closes_at_0="2030-03-19",
        registration_closes_at_1="09:00",
        end_1="",
    )
    assert errors["registration_closes_at"] == [
        "Les inscriptions doivent être closes après leur ouverture."
    ]
    assert errors["end"] == [f"Saisissez une heure, ou cochez «{NNBSP}Toute la journée{NNBSP}»."]

    errors = post_event_change(french, event, start_0="2030-03-31", start_1="02:30")
    assert errors["start"] == [
        f"02:30 le dimanche 31 mars 2030 n{APOSTROPHE}existe pas dans le fuseau "
        f"Europe/Paris{NBSP}: les horloges avancent de 1 heure cette nuit-là. "
        "Choisissez une heure avant ou après le changement."
    ]


def test_a_registration_already_live_is_refused_in_french(french):
    event = make_event()
    register(event, name="Grace Hopper", email="grace@example.org")
    other = register(event, name="Ada Lovelace", email="ada@example.org").registration
    url = f"/admin/events/registration/{other.pk}/change/"
    data = form_data(page(french, url), "registration_form")
    data["email"] = ["grace@example.org"]
    response = french.post(url, data)
    assert response.context["adminform"].form.errors["email"] == [
        "L" + APOSTROPHE + "adresse grace@example.org est déjà inscrite à cet événement "
        "(Grace Hopper, confirmée)."
    ]


# Actions: messages with the right plural


@pytest.mark.parametrize(
    ("cancelled", "message"),
    [
        (1, f"1 inscription annulée{NNBSP}; 1 personne promue."),
        (2, f"2 inscriptions annulées{NNBSP}; 2 personnes promues."),
    ],
)
def test_cancelling_registrations_says_how_many_in_french(french, cancelled, message):
    event = make_event(capacity=2, waiting_list_enabled=True)
    seated = [register(event).registration for _ in range(2)]
    for _ in range(2):
        register(event)
    response = action(
        french,
        "/admin/events/registration/",
        "cancel_registrations",
        [r.pk for r in seated[:cancelled]],
    )
    assert messages_of(response) == [message]


def test_filling_free_seats_says_how_many_people_in_french(french):
    event = make_event(capacity=1, waiting_list_enabled=True)
    for _ in range(3):
        register(event)
    event.capacity = 3
    event.save(update_fields=["capacity"])
    response = action(french, "/admin/events/event/", "promote_waiting", [event.pk])
    assert messages_of(response) == [
        f"2 personnes retirées de la liste d{APOSTROPHE}attente, inscrites et prévenues par "
        "courriel."
    ]
    assert event.registrations.filter(status=Registration.Status.CONFIRMED).count() == 3


def test_publishing_articles_says_how_many_in_french(french):
    drafts = [make_article(status="draft") for _ in range(2)]
    response = action(french, "/admin/news/article/", "publish", [a.pk for a in drafts])
    assert messages_of(response) == ["2 articles publiés."]
    response = action(french, "/admin/news/article/", "unpublish", [drafts[0].pk])
    assert messages_of(response) == ["1 article repassé en brouillon."]


def test_cancelling_an_event_asks_in_french(french):
    event = make_event()
    register(event)
    html = page(french, f"/admin/events/event/{event.pk}/cancel/")
    assert f"Annuler cet événement{NNBSP}?" in html
    assert "Un courriel sera envoyé à 1 personne." in html


# Versions: the history and the comparison


def test_the_version_history_and_comparison_speak_french(french):
    article = make_article(title="Cities meet", body="<p>One.</p><p>Two.</p>")
    for title in ["Cities meet", "Cities meet in Geneva"]:
        article.refresh_from_db()
        response = french.post(
            f"/admin/news/article/{article.pk}/change/", article_form(article, title=title)
        )
        assert response.status_code == 302
    history = page(french, f"/admin/news/article/{article.pk}/history/")
    assert "Chaque enregistrement est conservé comme une version." in history
    assert "Comparer les versions choisies" in history
    assert "Restaurer cette version" in history
    old, new = Version.objects.get_for_object(article).order_by("pk").values_list("pk", flat=True)
    compare = page(french, f"/admin/news/article/{article.pk}/history/compare/?from={old}&to={new}")
    assert f"Comparer les versions de «{NNBSP}Cities meet in Geneva{NNBSP}»" in compare
    assert '<th scope="row">Titre [en]</th>' in compare
    assert "Les mots supprimés sont <del>barrés</del>" in compare
    assert "Restaurer la version antérieure (la version enregistrée le" in compare


# And the same pages in English, as they always read


def test_the_same_pages_read_in_english_for_an_english_browser(english):
    article = make_article()
    event = event_in_october()
    register(event)
    person = make_person()
    make_quote(person=person)
    articles = page(english, "/admin/news/article/")
    assert column_headers(articles) == [
        "Image",
        "Title",
        "State",
        "Publish time",
        "Live on the site",
    ]
    assert "Publish the selected articles (scheduled ones at their time)" in action_names(articles)
    events = page(english, "/admin/events/event/")
    assert column_headers(events)[:2] == ["Title", "When"]
    assert "14 Oct 2030, 10:00\N{EN DASH}12:00 CEST" in events
    registrations = page(english, "/admin/events/registration/")
    assert column_headers(registrations)[-1] == "Registered"
    assert column_headers(page(english, "/admin/quotes/person/"))[2] == "Role or title"
    form = page(english, f"/admin/events/event/{event.pk}/change/")
    assert "Seats; leave blank for no limit." in form
    assert "Capacité" not in form
    article_page = page(english, f"/admin/news/article/{article.pk}/change/")
    assert "The standfirst: one or two sentences shown in lists and feeds." in article_page
    assert '<html lang="en"' in article_page


def test_staff_switch_the_admin_to_french_from_its_header_and_the_public_site_is_unchanged(
    english,
):
    html = page(english, "/admin/events/event/")
    assert 'action="/i18n/setlang/"' in html and ">Français</button>" in html

    response = english.post("/i18n/setlang/", {"language": "fr", "next": "/admin/events/event/"})
    assert response.status_code == 302 and response["Location"] == "/admin/events/event/"
    cookie = response.cookies["django_language"]
    assert cookie.value == "fr" and cookie["path"] == "/admin/" and cookie["httponly"]
    french_list = page(english, "/admin/events/event/")
    assert '<html lang="fr"' in french_list and ">English</button>" in french_list

    # Even sent along (a test client ignores the cookie's path), a public page keeps the
    # language of its address.
    assert '<html lang="en"' in page(english, "/en/")


def test_the_admin_sign_in_page_offers_the_other_language_too(client):
    html = page(client, "/admin/login/")
    assert ">Français</button>" in html
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/admin/login/"})
    assert response.status_code == 302
    assert "django_language" not in response.cookies


def test_french_staff_find_what_is_written_in_english_only(french):
    make_article(title="Cities meet in Geneva")
    make_event(title="Geneva forum")
    Organisation.objects.create(
        name="International Organization for Standardization", short_name="ISO", slug="iso"
    )
    assert "Cities meet in Geneva" in result_list(page(french, "/admin/news/article/?q=Geneva"))
    assert "Geneva forum" in result_list(page(french, "/admin/events/event/?q=Geneva"))
    organisations = result_list(page(french, "/admin/taskforce/organisation/?q=ISO"))
    assert "International Organization for Standardization" in organisations


def test_french_form_titles_read_right_before_any_name(french):
    event = make_event()
    assert f"<h1>Modifier{NBSP}: événement</h1>" in page(
        french, f"/admin/events/event/{event.pk}/change/"
    )
    assert f"<h1>Ajouter{NBSP}: article</h1>" in page(french, "/admin/news/article/add/")
