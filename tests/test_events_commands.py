"""Management commands: email worker, reminders, purging personal data, the demo event."""

import os
import signal
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from events.emails import send_pending
from events.models import Event, OutgoingEmail, Registration
from tests.events_helpers import make_event, register

pytestmark = pytest.mark.django_db


def run(*args):
    output = StringIO()
    call_command(*args, stdout=output)
    return output.getvalue()


def test_send_pending_emails_sends_what_is_waiting_and_only_once(mailoutbox):
    register(make_event())
    register(make_event())
    assert OutgoingEmail.objects.filter(sent_at__isnull=True).count() == 2
    assert "Sent 2 emails; 0 still pending." in run("send_pending_emails")
    assert "Sent 0 emails; 0 still pending." in run("send_pending_emails")
    assert len(mailoutbox) == 2


def test_with_the_worker_alone_sending_registration_answers_without_mailing(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_SEND_AT_ONCE = False
    event = make_event()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/events/{event.slug}/register/",
            {"name": "Ada", "email": "ada@example.org", "consent": "on"},
        )
    assert response.status_code == 302
    assert event.registrations.get().status == Registration.Status.CONFIRMED
    assert mailoutbox == []
    assert "Sent 1 emails; 0 still pending." in run("send_pending_emails")
    assert mailoutbox[0].to == ["ada@example.org"]
    assert mailoutbox[0].attachments[0][0] == "event.ics"


class StoppedWhileSending(BaseEmailBackend):
    """A mail server during which the worker is told to stop (as systemd does with SIGTERM)."""

    sent = []

    def send_messages(self, messages):
        StoppedWhileSending.sent.extend(messages)
        os.kill(os.getpid(), signal.SIGTERM)
        return len(messages)


def test_the_worker_stops_on_sigterm_after_the_email_being_sent(settings):
    settings.EMAIL_BACKEND = "tests.test_events_commands.StoppedWhileSending"
    for _ in range(3):
        register(make_event())
    defaults = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        output = run("send_pending_emails", "--loop", "--interval", "0")
    finally:
        for signum, handler in defaults.items():
            signal.signal(signum, handler)
    assert len(StoppedWhileSending.sent) == 1
    # The two it never started are still pending, and the summary says so.
    assert "Sent 1 emails; 2 still pending." in output
    assert OutgoingEmail.objects.filter(sent_at__isnull=False).count() == 1
    assert OutgoingEmail.objects.filter(sent_at__isnull=True, claimed_until=None).count() == 2


class CountingMailServer(locmem.EmailBackend):
    """Opens a connection per send unless one is open, as SMTP does, and counts them."""

    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_open = False

    def open(self):
        if self.is_open:
            return False
        self.is_open = True
        CountingMailServer.opened += 1
        return True

    def close(self):
        self.is_open = False

    def send_messages(self, messages):
        opened_here = self.open()
        try:
            return super().send_messages(messages)
        finally:
            if opened_here:
                self.close()


def test_the_worker_sends_a_round_of_emails_over_one_connection(settings):
    settings.EMAIL_BACKEND = "tests.test_events_commands.CountingMailServer"
    CountingMailServer.opened = 0
    for _ in range(3):
        register(make_event())
    assert "Sent 3 emails; 0 still pending." in run("send_pending_emails")
    assert CountingMailServer.opened == 1
    assert len(mail.outbox) == 3


class RefusesOneAddress(locmem.EmailBackend):
    """A mail server that turns away one recipient and takes the rest."""

    def send_messages(self, messages):
        if any("refused@example.org" in message.to for message in messages):
            raise ConnectionError("550 mailbox unavailable")
        return super().send_messages(messages)


def test_a_round_sends_batch_after_batch_and_tries_a_failing_email_once(settings):
    settings.EMAIL_BACKEND = "tests.test_events_commands.RefusesOneAddress"
    event = make_event()
    for i in range(4):
        register(event, email=f"person{i}@example.org")
    register(event, email="refused@example.org")

    assert send_pending(batch_size=2) == (4, 1)

    assert sorted(message.to[0] for message in mail.outbox) == [
        f"person{i}@example.org" for i in range(4)
    ]
    refused = OutgoingEmail.objects.get(to="refused@example.org")
    assert (refused.sent_at, refused.attempts, refused.claimed_until) == (None, 1, None)
    assert "550 mailbox unavailable" in refused.last_error
    assert OutgoingEmail.objects.filter(sent_at__isnull=False).count() == 4


def test_the_worker_claims_a_batch_at_a_time_and_records_each_email_once_sent(
    mailoutbox, django_assert_max_num_queries
):
    event = make_event()
    for _ in range(20):
        register(event)
    # One update per email, as soon as it is sent (a killed worker then resends at most
    # the one in flight); the claims cost a few queries a batch, not per email.
    with django_assert_max_num_queries(20 + 8):
        assert send_pending(batch_size=20) == (20, 0)
    assert len(mailoutbox) == 20


def test_send_pending_emails_gives_up_after_the_maximum_attempts(settings, mailoutbox):
    register(make_event())
    OutgoingEmail.objects.update(attempts=settings.EMAIL_MAX_ATTEMPTS)
    run("send_pending_emails")
    assert mailoutbox == []


def test_reminders_go_the_day_before_to_confirmed_people_once(mailoutbox):
    tomorrow = make_event(capacity=1, start=timezone.now() + timedelta(hours=20))
    next_week = make_event(start=timezone.now() + timedelta(days=7))
    register(tomorrow, email="in@example.org")
    register(tomorrow, email="waiting@example.org")
    register(next_week, email="later@example.org")
    OutgoingEmail.objects.update(sent_at=timezone.now())
    assert "Queued 1 reminders." in run("send_event_reminders")
    assert "Queued 0 reminders." in run("send_event_reminders")
    reminders = OutgoingEmail.objects.filter(kind="reminder")
    assert [r.to for r in reminders] == ["in@example.org"]
    run("send_pending_emails")
    assert mailoutbox[0].subject == f"Tomorrow: {tomorrow.title}"


def test_purge_removes_personal_data_of_events_past_the_retention_period(settings):
    settings.REGISTRATION_RETENTION_DAYS = 30
    old = make_event(title="Old forum")
    recent = make_event(title="Recent forum")
    register(old, email="old@example.org")
    register(recent, email="recent@example.org")
    Event.objects.filter(pk=old.pk).update(
        start=timezone.now() - timedelta(days=40), end=timezone.now() - timedelta(days=40)
    )
    Event.objects.filter(pk=recent.pk).update(
        start=timezone.now() - timedelta(days=10), end=timezone.now() - timedelta(days=10)
    )
    output = run("purge_registrations")
    assert "Old forum" in output and "deleted 1 registrations" in output
    assert "Deleted 1 registrations of 1 events that ended over 30 days ago." in output
    assert list(Registration.objects.values_list("email", flat=True)) == ["recent@example.org"]
    assert not OutgoingEmail.objects.filter(to="old@example.org").exists()


def test_demo_event_is_upcoming_with_two_seats_and_a_waiting_list():
    output = run("create_demo_event")
    run("create_demo_event")
    event = Event.objects.get()
    assert event.get_absolute_url() in output
    assert event.capacity == 2 and event.waiting_list_enabled
    assert event.is_registration_open
    outcomes = [register(event).outcome for _ in range(3)]
    assert outcomes == ["confirmed", "confirmed", "waitlisted"]


def test_registration_closes_when_the_event_starts():
    event = make_event(start=timezone.now() + timedelta(hours=1))
    with time_machine.travel(event.start + timedelta(minutes=1)):
        assert register(event).outcome == "closed"
