"""Every change of a registration's status, and of the seats it depends on.

Each function runs in one transaction and locks the event row before counting
(lock, count, write), so seats are never overbooked however many processes
take requests; emails are written to the outbox in the same transaction and
sent after it commits.

Registering for an event without a seat limit counts nothing, so it takes the
event row's lock in shared mode: registrations go on side by side, while any
change to the event (capacity, status, dates) waits for them, and they for it.
There the database's unique constraint finds an address already registered,
and that case is handled again under the exclusive lock.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .emails import queue_email
from .models import Event, OutgoingEmail, Registration


class Outcome:
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    FULL = "full"
    NOT_OPEN_YET = "not_open_yet"
    CLOSED = "closed"
    ALREADY_REGISTERED = "already_registered"

    ALL = (CONFIRMED, WAITLISTED, FULL, NOT_OPEN_YET, CLOSED, ALREADY_REGISTERED)


@dataclass(frozen=True)
class RegistrationResult:
    outcome: str
    registration: Registration | None = None


def _locked(event):
    """The event row, fresh from the database and locked until the transaction ends."""
    return _lock(Event.objects.filter(pk=event.pk))


def _lock(events, *, shared=False):
    """The one event of `events`, fresh from the database and locked until the transaction ends."""
    events = events.order_by()
    if shared and connection.features.has_select_for_update:
        sql, params = events.query.sql_with_params()
        for locked in Event.objects.raw(f"{sql} FOR SHARE", params):
            return locked
        raise Event.DoesNotExist
    return events.select_for_update().get()


def register(*, event, name, email, organisation="", consent, now=None):
    """A seat, a place on the waiting list, or the reason there is neither."""
    person = _person(name, email, organisation, consent)
    events = Event.objects.filter(pk=event.pk)
    return _register_sharing_first(events, person, now, share=event.capacity is None)


def register_at(*, slug, name, email, organisation="", consent, now=None):
    """
    register() for the public event at `slug`, which is read once, under its lock: the
    registration form's POST. Raises Event.DoesNotExist when no public event has that slug.
    """
    person = _person(name, email, organisation, consent)
    events = Event.objects.public().filter(slug=slug)
    return _register_sharing_first(events, person, now, share=True)


def _person(name, email, organisation, consent):
    if not consent:
        raise ValueError("A registration needs consent to the privacy notice.")
    return {"name": name, "email": email.strip(), "organisation": organisation}


def _register_sharing_first(events, person, now, *, share):
    """Under the shared lock if `share` and the event has no limit, else the exclusive one."""
    now = now or timezone.now()
    if share:
        try:
            result = _register(events, person, now, shared=True)
        except IntegrityError:
            result = None  # This address is registered already.
        if result is not None:
            return result
    return _register(events, person, now, shared=False)


def _register(events, person, now, *, shared):
    """Register under the event's lock; None when the shared lock is not enough after all."""
    with transaction.atomic():
        event = _lock(events, shared=shared)
        if shared and event.capacity is not None:
            return None
        state = event.registration_state(now)
        if state == Event.RegistrationState.NOT_OPEN_YET:
            return RegistrationResult(Outcome.NOT_OPEN_YET)
        if state != Event.RegistrationState.OPEN:
            return RegistrationResult(Outcome.CLOSED)

        existing = not shared and event.registrations.live().for_email(person["email"]).first()
        if existing:
            token = existing.issue_token()
            existing.save(update_fields=["token_hash", "updated"])
            queue_email(kind=OutgoingEmail.Kind.MANAGE_LINK, registration=existing, token=token)
            return RegistrationResult(Outcome.ALREADY_REGISTERED)

        if event.capacity is None or event.seats_left(event.registrations.confirmed().count()):
            status = Registration.Status.CONFIRMED
        elif event.waiting_list_enabled:
            status = Registration.Status.WAITLISTED
        else:
            return RegistrationResult(Outcome.FULL)

        registration = Registration(
            event=event,
            **person,
            consent=True,
            consented_at=now,
            status=status,
            created=now,
        )
        token = registration.issue_token()
        registration.save()
        confirmed = status == Registration.Status.CONFIRMED
        kind = OutgoingEmail.Kind.CONFIRMED if confirmed else OutgoingEmail.Kind.WAITLISTED
        queue_email(kind=kind, registration=registration, token=token)
    outcome = Outcome.CONFIRMED if confirmed else Outcome.WAITLISTED
    return RegistrationResult(outcome, registration)


def _fill_free_seats(event):
    """Promote waiting people in order of arrival while seats are free; the event is locked."""
    left = event.seats_left(event.registrations.confirmed().count())
    waiting = event.registrations.waitlisted().select_for_update()
    if left is not None:
        waiting = waiting[:left]
    promoted = list(waiting)
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
        token = registration.issue_token()
        registration.save(update_fields=["status", "token_hash", "updated"])
        queue_email(kind=OutgoingEmail.Kind.PROMOTED, registration=registration, token=token)
    return promoted


def cancel_registration(*, registration):
    """Cancel one registration and give its seat to the first person waiting.

    Returns the people promoted; cancelling twice does nothing the second time.
    """
    with transaction.atomic():
        event = _locked(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return []
        registration.status = Registration.Status.CANCELLED
        registration.save(update_fields=["status", "updated"])
        registration.event = event
        queue_email(kind=OutgoingEmail.Kind.CANCELLED, registration=registration)
        if event.status != Event.Status.PUBLISHED or event.is_over:
            return []
        return _fill_free_seats(event)


def promote_from_waiting_list(*, event):
    """Fill any free seats from the waiting list (e.g. after seats were freed by hand)."""
    with transaction.atomic():
        event = _locked(event)
        if event.status != Event.Status.PUBLISHED:
            return []
        return _fill_free_seats(event)


def promote_registration(*, registration):
    """
    Give this person from the waiting list a seat, whatever their place in line.

    An event with no seat free gets one more, so nobody is overbooked and nobody else
    loses a seat. Returns the registration promoted (its event with the capacity now
    set), or None when it is not waiting for a published event still to come.
    """
    with transaction.atomic():
        event = _locked(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        waiting = registration.status == Registration.Status.WAITLISTED
        if not waiting or event.status != Event.Status.PUBLISHED or event.is_over:
            return None
        confirmed = event.registrations.confirmed().count()
        if event.capacity is not None and not event.seats_left(confirmed):
            event.capacity = confirmed + 1
            event.save(update_fields=["capacity", "updated"])
        registration.status = Registration.Status.CONFIRMED
        token = registration.issue_token()
        registration.save(update_fields=["status", "token_hash", "updated"])
        registration.event = event
        queue_email(kind=OutgoingEmail.Kind.PROMOTED, registration=registration, token=token)
        return registration


def change_publication(*, event, published):
    """
    Publish a draft (published=True) or return a published event to draft; a cancelled
    event stays cancelled. Returns whether the status changed.
    """
    was, status = Event.Status.DRAFT, Event.Status.PUBLISHED
    if not published:
        was, status = status, was
    with transaction.atomic():
        event = _locked(event)
        if event.status != was:
            return False
        event.status = status
        event.save(update_fields=["status", "updated"])
        return True


def change_capacity(*, event, capacity):
    """Set the number of seats; more seats promote waiting people, fewer demote nobody."""
    if capacity is not None and capacity < 0:
        raise ValueError("Capacity cannot be negative.")
    with transaction.atomic():
        event = _locked(event)
        event.capacity = capacity
        event.save(update_fields=["capacity", "updated"])
        if event.status != Event.Status.PUBLISHED:
            return []
        return _fill_free_seats(event)


def cancel_event(*, event):
    """Cancel the event and every live registration, telling each person by email."""
    with transaction.atomic():
        event = _locked(event)
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "updated"])
        registrations = list(event.registrations.live().select_for_update())
        for registration in registrations:
            registration.status = Registration.Status.CANCELLED
            registration.save(update_fields=["status", "updated"])
            registration.event = event
            queue_email(kind=OutgoingEmail.Kind.EVENT_CANCELLED, registration=registration)
        return registrations


def send_reminders(*, now=None, within=timedelta(days=1)):
    """Remind confirmed people of events starting within a day; each is reminded once."""
    now = now or timezone.now()
    reminded = []
    events = Event.objects.published().filter(start__gt=now, start__lte=now + within)
    for event in events:
        with transaction.atomic():
            event = _locked(event)
            due = event.registrations.confirmed().filter(reminder_sent_at__isnull=True)
            for registration in due.select_for_update():
                registration.reminder_sent_at = now
                registration.save(update_fields=["reminder_sent_at", "updated"])
                registration.event = event
                queue_email(kind=OutgoingEmail.Kind.REMINDER, registration=registration)
                reminded.append(registration)
    return reminded


def purge_personal_data(*, retention_days, now=None):
    """Delete registrations (and their emails) of events that ended over the retention period ago.

    Returns {event: number of registrations deleted}.
    """
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    purged = {}
    for event in Event.objects.filter(end__lt=cutoff, registrations__isnull=False).distinct():
        with transaction.atomic():
            event = _locked(event)
            count = event.registrations.count()
            event.registrations.all().delete()
            purged[event] = count
    return purged
