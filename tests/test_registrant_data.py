"""
Rules 9 and 11: a registration's private link works for the registration's whole life,
and at it people see, download and erase what is stored about them.
"""

import json
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User

from events import services
from events.models import Event, OutgoingEmail, Registration
from tests.events_helpers import answer_page, make_event, manage_path, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def post_registration(client, event, **fields):
    data = {"name": "Grace Hopper", "email": "grace@example.org", "consent": "on", **fields}
    return client.post(f"/en/events/{event.slug}/register/", data)


# Rule 9: one link for the registration's whole life


def test_a_waiting_persons_first_link_works_after_promotion_and_cancels(
    client, committed, mailoutbox
):
    event = make_event(capacity=1)
    with committed():
        register(event, email="a@example.org", name="Ada")
        register(event, email="b@example.org", name="Bea")
    link_a = manage_path(mailoutbox[0].body)
    link_b = manage_path(mailoutbox[1].body)  # from the waiting-list email
    assert mailoutbox[1].subject.startswith("You are on the waiting list")
    with committed():
        client.post(link_a + "cancel/")
    promotion = next(m for m in mailoutbox if m.subject.startswith("A seat is yours"))
    assert manage_path(promotion.body) == link_b
    page = client.get(link_b).content.decode()
    assert "Confirmed" in page and "b@example.org" in page
    assert client.post(link_b + "cancel/").status_code == 302
    assert Registration.objects.get(email="b@example.org").status == "cancelled"
    assert "Cancelled" in client.get(link_b).content.decode()


def test_a_stranger_typing_someones_address_neither_breaks_their_link_nor_floods_them(
    client, committed, mailoutbox, settings
):
    settings.REGISTRATION_LINK_RESEND_MINUTES = 10
    event = make_event()
    with committed():
        register(event, email="a@example.org", name="Ada")
    link = manage_path(mailoutbox[0].body)
    answers = []
    with committed():
        for _ in range(3):
            response = post_registration(client, event, email="A@example.org", name="Stranger")
            answers.append(answer_page(client, response))
    assert len(set(answers)) == 1 and "Check your email" in answers[0]
    resent = [m for m in mailoutbox if m.subject.startswith("Your registration")]
    assert len(resent) == 1
    assert manage_path(resent[0].body) == link
    assert "Ada" in client.get(link).content.decode()
    assert event.registrations.get().name == "Ada"

    with time_machine.travel(timedelta(minutes=11)), committed():
        post_registration(client, event, email="a@example.org")
    resent = [m for m in mailoutbox if m.subject.startswith("Your registration")]
    assert len(resent) == 2
    assert manage_path(resent[1].body) == link


def test_the_link_still_shows_the_event_and_status_after_cancelling_but_no_personal_data(
    client, committed, mailoutbox
):
    event = make_event()
    with committed():
        register(event, email="ada@example.org", name="Ada Byron", organisation="Analytical")
    link = manage_path(mailoutbox[0].body)
    response = client.post(link + "cancel/", follow=True)
    html = response.content.decode()
    assert "Your registration is cancelled" in html
    assert event.title in html and "Cancelled" in html
    for detail in ("Ada Byron", "ada@example.org", "Analytical"):
        assert detail not in html
    assert "Erase my data" in html
    assert client.get(link + "data.json").status_code == 404


def test_a_link_issued_before_derived_links_keeps_working_through_promotion(
    client, committed, mailoutbox
):
    from events.models import hash_token

    event = make_event(capacity=1)
    register(event, email="a@example.org")
    waiting = register(event, email="b@example.org").registration
    old_token = "Issued-before_" + "q" * 29
    Registration.objects.filter(pk=waiting.pk).update(token_hash=hash_token(old_token))
    services.cancel_registration(registration=Registration.objects.get(email="a@example.org"))
    page = client.get(f"/en/events/manage/{old_token}/").content.decode()
    assert "b@example.org" in page and "Confirmed" in page


# Rule 11: see, download, erase


def test_the_manage_page_shows_everything_stored_and_offers_download_cancel_and_erase(client):
    event = make_event(capacity=1)
    register(event, email="first@example.org")
    registration = register(
        event, email="zoe@example.org", name="Zoë Müller", organisation="Ville de Genève"
    ).registration
    html = client.get(registration.get_manage_url()).content.decode()
    for shown in ("Zoë Müller", "zoe@example.org", "Ville de Genève", "position 1"):
        assert shown in html
    assert "no seat is held for you yet" in html
    assert "Download your data (JSON)" in html
    assert "Cancel my registration" in html and "Erase my data" in html


def test_the_download_holds_the_registration_and_its_emails_as_json(client, committed):
    event = make_event()
    with committed():
        registration = register(
            event, email="zoe@example.org", name="Zoë Müller", organisation="Genève"
        ).registration
    response = client.get(registration.get_manage_url() + "data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    disposition = f'attachment; filename="registration-{event.slug}.json"'
    assert response["Content-Disposition"] == disposition
    assert "no-cache" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["registration"]["name"] == "Zoë Müller"
    assert data["registration"]["email"] == "zoe@example.org"
    assert data["registration"]["organisation"] == "Genève"
    assert data["registration"]["status"] == "confirmed"
    assert data["registration"]["consent"] is True
    assert data["event"]["title"] == event.title
    assert data["event"]["time_zone"] == event.time_zone
    (email,) = data["emails"]
    assert email["to"] == "zoe@example.org" and email["sent_at"]
    assert registration.manage_token not in response.content.decode()


def every_value_in_the_database():
    """Every text stored in every table of the site, as one string to search."""
    values = []
    for model in apps.get_models():
        values += [str(row) for row in model.objects.values_list()]
    return "\n".join(values)


def test_erasing_leaves_nothing_of_the_person_and_gives_the_seat_to_the_next(
    client, committed, mailoutbox
):
    event = make_event(capacity=1)
    with committed():
        register(
            event,
            email="zebulon.quartermaine@example.org",
            name="Zebulon Quartermaine",
            organisation="Quartermaine Holdings",
        )
        register(event, email="next@example.org", name="Next Person")
    erased = Registration.objects.get(email="zebulon.quartermaine@example.org")
    link = erased.get_manage_url()

    manager = User.objects.create_superuser("staff", password="x")
    manager.groups.add(Group.objects.get(name="Event managers"))
    client.force_login(manager)
    client.post(
        f"/admin/events/registration/{erased.pk}/change/",
        {"name": erased.name, "email": erased.email, "organisation": "Quartermaine Holdings"},
    )
    assert LogEntry.objects.filter(object_repr__contains="Quartermaine").exists()
    client.logout()
    assert "Quartermaine" in every_value_in_the_database()

    page = client.get(link + "erase/").content.decode()
    assert "Yes, erase my data" in page and "next person on the waiting list" in page
    mailoutbox.clear()
    with committed():
        response = client.post(link + "erase/", follow=True)
    assert "your name, email address and organisation are erased" in response.content.decode()
    assert response.redirect_chain[-1][0] == event.get_absolute_url()

    stored = every_value_in_the_database()
    for detail in ("Zebulon", "Quartermaine", "zebulon.quartermaine@example.org"):
        assert detail not in stored
    assert not OutgoingEmail.objects.filter(to__icontains="quartermaine").exists()
    event.refresh_from_db()
    assert event.registrations_erased == 1
    assert list(event.registrations.values_list("email", "status")) == [
        ("next@example.org", "confirmed")
    ]
    assert [m.to for m in mailoutbox] == [["next@example.org"]]
    assert mailoutbox[0].subject.startswith("A seat is yours")
    assert client.get(link).status_code == 404
    assert client.post(link + "erase/").status_code == 404


@pytest.mark.parametrize("status", ["waitlisted", "cancelled"])
def test_waiting_and_cancelled_registrations_can_be_erased_too(client, status):
    event = make_event(capacity=1)
    register(event, email="seat@example.org")
    registration = register(event, email="erase-me@example.org").registration
    if status == "cancelled":
        services.cancel_registration(registration=registration)
    assert client.post(registration.get_manage_url() + "erase/").status_code == 302
    assert not Registration.objects.filter(email="erase-me@example.org").exists()
    assert not OutgoingEmail.objects.filter(to="erase-me@example.org").exists()
    assert Event.objects.get(pk=event.pk).registrations_erased == 1
    assert event.registrations.get().email == "seat@example.org"


# Consent and result pages


@pytest.mark.parametrize("value", ["0", "false", "False", "off", "", "no", "1", "yes"])
def test_only_the_checkbox_own_value_is_consent(client, value):
    event = make_event()
    response = post_registration(client, event, consent=value)
    assert response.status_code == 400
    assert "Please agree to the privacy notice to register." in response.content.decode()
    assert not Registration.objects.exists()


def test_the_service_itself_takes_only_true_as_consent():
    event = make_event()
    for value in ("0", "false", 1, "on"):
        with pytest.raises(ValueError, match="consent"):
            services.register(event=event, name="A", email="a@example.org", consent=value)
    assert not Registration.objects.exists()


def test_a_result_page_opened_under_another_events_address_is_a_404(client):
    event = make_event()
    other = make_event()
    result = post_registration(client, event)["Location"]
    assert client.get(result).status_code == 200
    assert client.get(result.replace(event.slug, other.slug)).status_code == 404
