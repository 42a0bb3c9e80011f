"""Many simultaneous requests (threads, each with its own database connection) on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection, connections

from events import services
from events.emails import send_pending
from events.models import OutgoingEmail, Registration
from tests.events_helpers import make_event, register, register_at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Row locks under concurrency need PostgreSQL (SQLite serialises all writers)",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 24


def run_at_once(function, arguments):
    """Call function on every argument from its own thread, all released together."""
    barrier = threading.Barrier(len(arguments))

    def call(argument):
        try:
            barrier.wait(timeout=30)
            return function(argument)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(arguments)) as pool:
        return list(pool.map(call, arguments))


# By the event (admin, commands) and by its slug (the registration form).
entry_points = pytest.mark.parametrize("register", [register, register_at])


@entry_points
def test_concurrent_registrations_for_the_last_seats_never_overbook(register):
    event = make_event(capacity=8)
    for _ in range(5):
        register(event)

    outcomes = run_at_once(
        lambda i: register(event, email=f"racer{i}@example.org").outcome, range(THREADS)
    )

    assert outcomes.count("confirmed") == 3
    assert outcomes.count("waitlisted") == THREADS - 3
    assert event.registrations.confirmed().count() == 8
    positions = sorted(r.waiting_position for r in event.registrations.waitlisted())
    assert positions == list(range(1, THREADS - 3 + 1))


@entry_points
def test_arrival_order_is_the_order_the_lock_was_obtained_in(register):
    """Everyone given a seat arrived before everyone sent to the waiting list."""
    event = make_event(capacity=THREADS // 2)
    run_at_once(lambda i: register(event, email=f"racer{i}@example.org"), range(THREADS))
    seated = event.registrations.confirmed().values_list("created", flat=True)
    waiting = list(event.registrations.waitlisted().values_list("created", flat=True))
    assert len(seated) == len(waiting) == THREADS // 2
    assert max(seated) <= min(waiting)
    assert waiting == sorted(waiting)


@entry_points
def test_the_same_email_registering_concurrently_gets_one_seat(register):
    event = make_event(capacity=10)
    outcomes = run_at_once(lambda _: register(event, email="twin@example.org").outcome, range(8))
    assert outcomes.count("confirmed") == 1
    assert outcomes.count("already_registered") == 7
    assert event.registrations.count() == 1


@entry_points
def test_concurrent_registrations_without_a_limit_are_all_saved_once(register):
    event = make_event(capacity=None)
    emails = [f"open{i}@example.org" for i in range(THREADS)] + ["Twin@example.org"] * 4
    emails += ["twin@example.org"] * 4

    outcomes = run_at_once(lambda email: register(event, email=email).outcome, emails)

    assert outcomes.count("confirmed") == THREADS + 1
    assert outcomes.count("already_registered") == 7
    assert event.registrations.confirmed().count() == THREADS + 1
    assert OutgoingEmail.objects.filter(kind="confirmed").count() == THREADS + 1
    # The link is re-sent once: REGISTRATION_LINK_RESEND_MINUTES holds under the race too.
    assert OutgoingEmail.objects.filter(kind="manage_link").count() == 1


@entry_points
def test_a_limit_set_while_people_register_holds_from_that_moment_on(register):
    event = make_event(capacity=None)
    for i in range(3):
        register(event, email=f"early{i}@example.org")

    def act(i):
        if i == 0:
            return services.change_capacity(event=event, capacity=5)
        return register(event, email=f"racer{i}@example.org").outcome

    run_at_once(act, range(THREADS))

    statuses = list(event.registrations.order_by("pk").values_list("status", flat=True))
    assert len(statuses) == 3 + THREADS - 1
    # Everyone who registered before the limit has a seat; after it, seats run out at 5.
    first_waiting = statuses.index("waitlisted") if "waitlisted" in statuses else len(statuses)
    assert set(statuses[first_waiting:]) <= {"waitlisted"}
    assert first_waiting == len(statuses) or first_waiting >= 5


def test_concurrent_cancellations_and_promotions_promote_no_one_twice():
    event = make_event(capacity=6)
    confirmed = [register(event, email=f"seat{i}@example.org").registration for i in range(6)]
    for i in range(12):
        register(event, email=f"wait{i}@example.org")

    cancel = [("cancel", registration) for registration in confirmed]
    cancel_again = [("cancel", registration) for registration in confirmed[:3]]
    promote = [("promote", event)] * 6
    raise_capacity = [("capacity", 8)]

    def act(job):
        kind, target = job
        if kind == "cancel":
            return services.cancel_registration(registration=target)
        if kind == "promote":
            return services.promote_from_waiting_list(event=event)
        return services.change_capacity(event=event, capacity=target)

    results = run_at_once(act, cancel + cancel_again + promote + raise_capacity)

    promoted = [registration.pk for result in results for registration in result]
    assert len(promoted) == len(set(promoted)) == 8
    assert event.registrations.confirmed().count() == 8
    assert event.registrations.waitlisted().count() == 4
    assert Registration.objects.filter(pk__in=promoted, status="confirmed").count() == 8
    assert OutgoingEmail.objects.filter(kind="promoted").count() == 8
    assert OutgoingEmail.objects.filter(kind="cancelled").count() == 6


def test_chosen_promotions_racing_registrations_and_each_other_never_overbook():
    event = make_event(capacity=4)
    for i in range(4):
        register(event, email=f"seat{i}@example.org")
    waiting = [register(event, email=f"wait{i}@example.org").registration for i in range(8)]

    jobs = [("promote", registration) for registration in waiting]
    jobs += [("promote", registration) for registration in waiting[:4]]  # twice at once
    jobs += [("register", i) for i in range(8)]

    def act(job):
        kind, target = job
        if kind == "promote":
            return services.promote_registration(registration=target)
        return register(event, email=f"late{target}@example.org").outcome

    results = run_at_once(act, jobs)

    promoted = [result.pk for result in results if isinstance(result, Registration)]
    assert sorted(promoted) == sorted(registration.pk for registration in waiting)
    event.refresh_from_db()
    assert event.capacity == event.registrations.confirmed().count() == 12
    assert event.registrations.waitlisted().count() == 8  # the late ones, none confirmed
    assert OutgoingEmail.objects.filter(kind="promoted").count() == 8


def test_workers_sending_at_the_same_time_send_each_email_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_SEND_AT_ONCE = False
    mail.outbox = []
    event = make_event(capacity=None)
    for i in range(60):
        register(event, email=f"reader{i}@example.org")

    results = run_at_once(lambda _: send_pending(batch_size=5), range(4))

    assert sum(sent for sent, _ in results) == 60
    recipients = [message.to[0] for message in mail.outbox]
    assert sorted(recipients) == sorted(f"reader{i}@example.org" for i in range(60))
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
