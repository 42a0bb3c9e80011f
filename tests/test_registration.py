"""Registration rules 1 to 8: seats, waiting list, duplicates, cancelling, emails, bots."""

import logging
import re
from datetime import timedelta
from email.utils import parseaddr
from io import StringIO

import icalendar
import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone, translation

from events import services
from events.models import Event, OutgoingEmail, Registration
from tests.events_helpers import answer_page, make_event, manage_path, register
from tests.typography import NBSP

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (email delivery) of what happens inside, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def form_data(**overrides):
    return {
        "name": "Grace Hopper",
        "email": "grace@example.org",
        "organisation": "Navy",
        "consent": "on",
        **overrides,
    }


def post_registration(client, event, **overrides):
    return client.post(f"/en/events/{event.slug}/register/", form_data(**overrides))


def h1(response):
    return re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


# Rule 1: only while published, open and not over


@pytest.mark.parametrize(
    ("fields", "outcome"),
    [
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "not_open_yet"),
        ({"registration_closes_at": timezone.now() - timedelta(hours=1)}, "closed"),
        ({"start": timezone.now() - timedelta(days=2)}, "closed"),
        ({"status": Event.Status.CANCELLED}, "closed"),
        ({"status": Event.Status.DRAFT}, "closed"),
    ],
)
def test_registration_is_refused_unless_published_open_and_not_over(fields, outcome):
    event = make_event(**fields)
    result = register(event)
    assert result.outcome == outcome
    assert not Registration.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_result_pages_say_why_registration_was_not_taken(client):
    not_yet = make_event(registration_opens_at=timezone.now() + timedelta(days=1))
    response = post_registration(client, not_yet)
    assert h1(client.get(response["Location"])) == "Registration is not open yet"
    closed = make_event(registration_closes_at=timezone.now() - timedelta(hours=1))
    response = post_registration(client, closed)
    assert h1(client.get(response["Location"])) == "Registration is closed"
    assert not Registration.objects.exists()


# Rule 2: seats in order of arrival, then the waiting list, else full


def test_seats_go_in_order_of_arrival_then_the_waiting_list(committed, mailoutbox):
    event = make_event(capacity=2)
    with committed():
        outcomes = [register(event, email=f"p{i}@example.org").outcome for i in range(4)]
    assert outcomes == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [m.subject.split(":")[0] for m in mailoutbox] == [
        "You are registered",
        "You are registered",
        "You are on the waiting list",
        "You are on the waiting list",
    ]
    assert "in position 2" in mailoutbox[3].body


def test_without_a_waiting_list_a_full_event_says_full_and_records_nothing(client):
    event = make_event(capacity=1, waiting_list_enabled=False)
    register(event)
    response = post_registration(client, event)
    assert h1(client.get(response["Location"])) == "This event is full"
    assert event.registrations.count() == 1
    assert "This event is full." in client.get(event.get_absolute_url()).content.decode()


def test_unlimited_events_confirm_everyone():
    event = make_event(capacity=None)
    assert {register(event).outcome for _ in range(5)} == {"confirmed"}


def test_the_form_posts_then_redirects_to_a_result_page(client, committed, mailoutbox):
    event = make_event(capacity=1)
    with committed():
        response = post_registration(client, event)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert h1(page) == "You are registered"
    assert "calendar invitation" in page.content.decode()
    with committed():
        response = post_registration(client, event, email="second@example.org")
    page = client.get(response["Location"])
    assert h1(page) == "You are on the waiting list"
    assert "in position <strong>1</strong>" in page.content.decode()
    registration = Registration.objects.get(email="grace@example.org")
    assert registration.name == "Grace Hopper"
    assert registration.organisation == "Navy"
    assert registration.consent and registration.consented_at is not None


def test_a_tampered_result_link_is_a_404(client):
    event = make_event()
    response = post_registration(client, event)
    assert (
        client.get(response["Location"].replace("registered/ey", "registered/eX")).status_code
        == 404
    )


# Rule 4: registering twice gives no second seat and re-sends the link


def test_registering_again_creates_no_seat_and_resends_the_same_working_link(
    client, committed, mailoutbox
):
    event = make_event(capacity=5)
    with committed():
        post_registration(client, event)
        response = post_registration(client, event, email="GRACE@example.org ")
    assert event.registrations.count() == 1
    assert h1(client.get(response["Location"])) == "Check your email"
    first_link, second_link = (manage_path(m.body) for m in mailoutbox)
    assert mailoutbox[1].subject == f"Your registration: {event.title}"
    assert first_link == second_link
    assert "Grace Hopper" in client.get(first_link).content.decode()


def test_already_registered_answer_is_the_same_for_confirmed_and_waitlisted(client):
    event = make_event(capacity=1)
    register(event, email="confirmed@example.org")
    register(event, email="waiting@example.org")
    pages = []
    for email in ("confirmed@example.org", "waiting@example.org"):
        response = post_registration(client, event, email=email)
        pages.append(answer_page(client, response))
    assert pages[0] == pages[1]
    assert "Check your email" in pages[0]
    assert "confirmed@example.org" not in pages[0]


# Rule 5: cancelling frees the seat for the first person waiting


def test_cancelling_from_the_private_link_promotes_the_first_person_waiting(
    client, committed, mailoutbox
):
    event = make_event(capacity=1)
    with committed():
        register(event, email="first@example.org")
        register(event, email="second@example.org")
        register(event, email="third@example.org")
    link = manage_path(mailoutbox[0].body)
    page = client.get(link).content.decode()
    assert "Confirmed" in page and "first@example.org" in page
    confirm = client.get(link + "cancel/").content.decode()
    assert "Yes, cancel my registration" in confirm
    assert Registration.objects.get(email="first@example.org").status == "confirmed"
    mailoutbox.clear()
    with committed():
        response = client.post(link + "cancel/")
    assert response.status_code == 302
    assert "Cancelled" in client.get(response["Location"]).content.decode()
    statuses = dict(event.registrations.values_list("email", "status"))
    assert statuses == {
        "first@example.org": "cancelled",
        "second@example.org": "confirmed",
        "third@example.org": "waitlisted",
    }
    assert {(m.to[0], m.subject.split(":")[0]) for m in mailoutbox} == {
        ("first@example.org", "Your registration is cancelled"),
        ("second@example.org", "A seat is yours"),
    }
    promoted = next(m for m in mailoutbox if m.to == ["second@example.org"])
    assert "Confirmed" in client.get(manage_path(promoted.body)).content.decode()


def test_cancelling_twice_changes_nothing_the_second_time(committed, mailoutbox):
    event = make_event(capacity=1)
    registration = register(event).registration
    register(event)
    assert len(services.cancel_registration(registration=registration)) == 1
    assert services.cancel_registration(registration=registration) == []
    assert event.registrations.confirmed().count() == 1


def test_raising_capacity_promotes_waiting_people_in_order(committed, mailoutbox):
    event = make_event(capacity=1)
    register(event, email="a@example.org")
    waiting = [register(event, email=f"w{i}@example.org").registration for i in range(3)]
    with committed():
        promoted = services.change_capacity(event=event, capacity=3)
    assert promoted == waiting[:2]
    assert event.registrations.confirmed().count() == 3
    assert [m.to[0] for m in mailoutbox] == ["w0@example.org", "w1@example.org"]
    waiting[2].refresh_from_db()
    assert waiting[2].waiting_position == 1


def test_cancelling_the_event_emails_everyone_registered(committed, mailoutbox):
    event = make_event(capacity=1)
    register(event, email="a@example.org")
    register(event, email="b@example.org")
    with committed():
        services.cancel_event(event=event)
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert not event.registrations.live().exists()
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "b@example.org"]
    assert all(m.subject.startswith("Event cancelled") for m in mailoutbox)


def test_a_limit_set_after_the_page_was_loaded_still_applies():
    event = make_event(capacity=None)
    page_view = Event.objects.get(pk=event.pk)
    services.change_capacity(event=event, capacity=1)
    register(event, email="first@example.org")
    assert register(page_view, email="second@example.org").outcome == "waitlisted"
    assert event.registrations.confirmed().count() == 1


def test_a_chosen_person_takes_a_free_seat_or_the_event_gets_one_more(committed, mailoutbox):
    event = make_event(capacity=1)
    register(event)
    first, second, third = (register(event).registration for _ in range(3))
    Event.objects.filter(pk=event.pk).update(capacity=2)  # a seat freed outside the queue

    with committed():
        promoted = services.promote_registration(registration=second)
    assert (promoted.pk, promoted.status, promoted.event.capacity) == (second.pk, "confirmed", 2)
    assert [m.subject for m in mailoutbox] == [f"A seat is yours: {event.title}"]
    assert manage_path(mailoutbox[0].body)

    promoted = services.promote_registration(registration=third)
    assert promoted.event.capacity == 3  # full: one more seat, nobody else moves
    first.refresh_from_db()
    assert first.status == "waitlisted"
    assert services.promote_registration(registration=third) is None  # not waiting any more
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT)
    assert services.promote_registration(registration=first) is None
    assert Event.objects.get(pk=event.pk).capacity == 3


# Rule 6: emails after commit, and nothing lost when the mail server is down


def test_emails_are_sent_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    event = make_event()
    with django_capture_on_commit_callbacks() as callbacks:
        register(event)
        assert len(mail.outbox) == 0
        assert OutgoingEmail.objects.count() == 1
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_confirmation_carries_an_ics_and_the_online_link_only_when_confirmed(committed, mailoutbox):
    event = make_event(capacity=1, is_online=True, online_url="https://meet.example.org/jtf")
    with committed():
        register(event, email="in@example.org")
        register(event, email="waiting@example.org")
    confirmation, waitlisted = mailoutbox
    assert "https://meet.example.org/jtf" in confirmation.body
    assert "https://meet.example.org/jtf" in confirmation.alternatives[0].content
    assert "https://meet.example.org/jtf" not in waitlisted.body
    assert not waitlisted.attachments
    assert [mimetype for _, mimetype in waitlisted.alternatives] == ["text/html"]
    name, content, mimetype = confirmation.attachments[0]
    assert (name, mimetype) == ("event.ics", "application/ics")
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["METHOD"] == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == event.title
    assert vevent.decoded("dtstart") == event.start
    assert str(vevent["LOCATION"]) == "https://meet.example.org/jtf"


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_mail_server_down_registration_stands_failure_logged_and_retried_later(
    client, committed, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.test_registration.BrokenMailServer"
    event = make_event()
    with caplog.at_level(logging.WARNING, logger="events.emails"), committed():
        response = post_registration(client, event)
    assert h1(client.get(response["Location"])) == "You are registered"
    assert event.registrations.confirmed().count() == 1
    assert "could not be sent" in caplog.text
    assert "grace@example.org" not in caplog.text
    pending = OutgoingEmail.objects.get()
    assert pending.sent_at is None and pending.attempts == 1
    assert "mail server down" in pending.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    output = StringIO()
    call_command("send_pending_emails", stdout=output)
    assert "Sent 1 emails; 0 still pending." in output.getvalue()
    pending.refresh_from_db()
    assert pending.sent_at is not None
    (sent,) = mail.outbox
    assert sent.to == ["grace@example.org"]
    assert client.get(manage_path(sent.body)).status_code == 200
    token = manage_path(sent.body).split("/")[-2]
    assert token not in str(OutgoingEmail.objects.filter(pk=pending.pk).values().get())


# Bad input writes nothing and never errors


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": ""}, "Please agree to the privacy notice to register."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"name": "x" * 10_000}, "Ensure this value has at most 200 characters"),
        ({"name": "<script>alert(1)</script>"}, "Please leave out the characters &lt; and &gt;."),
        ({"name": "Grace\x07Hopper"}, "Please leave out control characters"),
        ({"organisation": "Navy\x00"}, "Null characters are not allowed."),
        ({"email": "grace@example.org\r\nBcc: x@example.org"}, "Enter a valid email address."),
    ],
)
def test_bad_input_shows_a_clear_message_and_writes_nothing(client, overrides, message):
    event = make_event()
    response = post_registration(client, event, **overrides)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="error-summary"' in html
    assert not Registration.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_filled_honeypot_writes_nothing_and_gets_a_neutral_answer(client):
    event = make_event()
    response = post_registration(client, event, website="http://spam.example")
    assert response.status_code == 302
    assert h1(client.get(response["Location"])) == "Check your email"
    assert not Registration.objects.exists()
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["unknown", "A" * 43, "A" * 500, "%3Cscript%3E" * 4],
)
def test_unknown_or_tampered_manage_links_are_404(client, token):
    event = make_event()
    register(event)
    assert client.get(f"/en/events/manage/{token}/").status_code == 404
    assert client.post(f"/en/events/manage/{token}/cancel/").status_code == 404
    assert event.registrations.live().count() == 1


def test_registering_for_an_unknown_or_draft_event_is_404(client):
    draft = make_event(status=Event.Status.DRAFT)
    assert post_registration(client, draft).status_code == 404
    assert client.post("/en/events/no-such-event/register/", form_data()).status_code == 404


# Rule 8: rate limit per IP


def test_register_posts_are_rate_limited_per_ip(client, settings):
    settings.REGISTRATION_RATE_LIMIT = "3/m"
    event = make_event()
    statuses = [
        post_registration(client, event, email=f"p{i}@example.org").status_code for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert "Too many requests" in post_registration(client, event).content.decode()
    other_ip = client.post(
        f"/en/events/{event.slug}/register/",
        form_data(email="z@example.org"),
        REMOTE_ADDR="10.0.0.9",
    )
    assert other_ip.status_code == 302
    assert event.registrations.count() == 4


def test_a_registrant_on_the_french_page_gets_emails_and_invitation_in_french(
    client, committed, mailoutbox
):
    event = make_event(is_online=True, online_url="https://meet.example.org/jtf")
    with committed():
        response = client.post(f"/fr/events/{event.slug}/register/", form_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/events/")
    assert event.registrations.get().language == "fr"
    (confirmation,) = mailoutbox
    assert confirmation.subject == f"Vous êtes inscrit·e{NBSP}: {event.title}"
    assert "/fr/events/manage/" in confirmation.body
    assert "Votre place est confirmée" in confirmation.alternatives[0].content
    with translation.override("fr"):
        assert event.when in confirmation.body
    (vevent,) = icalendar.Calendar.from_ical(confirmation.attachments[0][1]).walk("VEVENT")
    assert f"/fr/events/{event.slug}/" in vevent["URL"]
    assert f"Rejoindre en ligne{NBSP}: https://meet.example.org/jtf" in vevent["DESCRIPTION"]
    french_name = (
        "Groupe d\N{RIGHT SINGLE QUOTATION MARK}action conjoint sur les villes intelligentes"
    )
    assert parseaddr(confirmation.from_email) == (french_name, "noreply@localhost")
    assert vevent["ORGANIZER"].params["CN"] == french_name


def test_a_registrant_on_the_english_page_keeps_english_emails(committed, mailoutbox):
    event = make_event()
    with committed():
        register(event)
    assert event.registrations.get().language == "en"
    assert mailoutbox[0].subject == f"You are registered: {event.title}"
    assert mailoutbox[0].from_email == "Joint Task Force on smart cities <noreply@localhost>"
