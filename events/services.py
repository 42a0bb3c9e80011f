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

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from taskforce.languages import in_each_language

from .emails import queue_email
from .models import Event, OutgoingEmail, Registration

# Changes registrants are told of: each raises the event's sequence, so the entry in
# their calendar is replaced. A new time or place concerns everyone registered; a new
# online link only those holding a seat, the only ones who get it.
TIME_FIELDS = ("start", "end", "time_zone", "all_day")
PLACE_FIELDS = ("is_online", *in_each_language("venue_name"), "venue_address")
LINK_FIELDS = ("online_url",)
TOLD_FIELDS = TIME_FIELDS + PLACE_FIELDS + LINK_FIELDS


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


def register(*, event, name, email, organisation="", consent, language="en", now=None):
    """A seat, a place on the waiting list, or the reason there is neither."""
    person = _person(name, email, organisation, consent, language)
    events = Event.objects.filter(pk=event.pk)
    return _register_sharing_first(events, person, now, share=event.capacity is None)


def register_at(*, slug, name, email, organisation="", consent, language="en", now=None):
    """
    register() for the public event at `slug`, which is read once, under its lock: the
    registration form's POST. Raises Event.DoesNotExist when no public event has that slug.
    """
    person = _person(name, email, organisation, consent, language)
    events = Event.objects.public().filter(slug=slug)
    return _register_sharing_first(events, person, now, share=True)


def _person(name, email, organisation, consent, language):
    if consent is not True:
        raise ValueError("A registration needs consent to the privacy notice.")
    return {
        "name": name,
        "email": email.strip(),
        "organisation": organisation,
        "language": language,
    }


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
            existing.event = event
            _resend_link(existing)
            return RegistrationResult(Outcome.ALREADY_REGISTERED)

        if event.capacity is None or event.seats_left(event.registrations.confirmed().count()):
            status = Registration.Status.CONFIRMED
        elif event.waiting_list_enabled:
            status = Registration.Status.WAITLISTED
        else:
            return RegistrationResult(Outcome.FULL)

        registration = Registration.objects.create(
            event=event,
            **person,
            consent=True,
            consented_at=now,
            status=status,
            # Taken under the lock: the order of arrival is the order the lock was obtained in.
            created=timezone.now(),
        )
        confirmed = status == Registration.Status.CONFIRMED
        kind = OutgoingEmail.Kind.CONFIRMED if confirmed else OutgoingEmail.Kind.WAITLISTED
        queue_email(kind=kind, registration=registration)
    outcome = Outcome.CONFIRMED if confirmed else Outcome.WAITLISTED
    return RegistrationResult(outcome, registration)


def _resend_link(registration):
    """
    Email the private link again, unless it was re-sent within the last
    REGISTRATION_LINK_RESEND_MINUTES: whoever typed the address learns nothing either way,
    and a stranger cannot flood someone's inbox with it.
    """
    since = timezone.now() - timedelta(minutes=settings.REGISTRATION_LINK_RESEND_MINUTES)
    resent = registration.emails.filter(kind=OutgoingEmail.Kind.MANAGE_LINK, created__gt=since)
    if not resent.exists():
        queue_email(kind=OutgoingEmail.Kind.MANAGE_LINK, registration=registration)


def _fill_free_seats(event):
    """Promote waiting people in order of arrival while seats are free; the event is locked."""
    left = event.seats_left(event.registrations.confirmed().count())
    waiting = event.registrations.waitlisted().select_for_update()
    if left is not None:
        waiting = waiting[:left]
    promoted = list(waiting)
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
        registration.save(update_fields=["status", "updated"])
        registration.event = event
        queue_email(kind=OutgoingEmail.Kind.PROMOTED, registration=registration)
    return promoted


def cancel_registration(*, registration):
    """Cancel one registration and give its seat to the first person waiting.

    The person is emailed a calendar CANCEL. Returns the people promoted; cancelling
    twice does nothing the second time.
    """
    with transaction.atomic():
        event = _locked(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return []
        registration.event = event
        promoted = _cancel(registration)
        queue_email(kind=OutgoingEmail.Kind.CANCELLED, registration=registration)
        return promoted


def _cancel(registration):
    """Cancel a live registration of the locked event and fill the seats that frees."""
    event = registration.event
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status", "updated"])
    if event.status != Event.Status.PUBLISHED or event.is_over:
        return []
    return _fill_free_seats(event)


def erase_registration(*, registration):
    """
    Erase a registration at its person's request, at once: cancel it if it is live (its
    seat goes to the next person waiting, as with cancelling), then delete it and every
    email to it, and scrub its name from the admin's history. Only the event's count of
    erased registrations remains. Nothing is emailed: no address is left to email.

    Returns the people promoted; erasing twice does nothing the second time.
    """
    with transaction.atomic():
        event = _locked(registration.event)
        registration = Registration.objects.select_for_update().filter(pk=registration.pk).first()
        if registration is None:
            return []
        registration.event = event
        live = registration.status != Registration.Status.CANCELLED
        promoted = _cancel(registration) if live else []
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Registration),
            object_id=str(registration.pk),
        ).update(object_repr="Erased registration")
        registration.delete()
        Event.objects.filter(pk=event.pk).update(registrations_erased=F("registrations_erased") + 1)
        return promoted


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
        registration.save(update_fields=["status", "updated"])
        registration.event = event
        queue_email(kind=OutgoingEmail.Kind.PROMOTED, registration=registration)
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
        change_event(event=event, status=status)
        return True


def change_capacity(*, event, capacity):
    """Set the number of seats; more seats promote waiting people, fewer demote nobody."""
    return change_event(event=event, capacity=capacity).promoted


@dataclass(frozen=True)
class EventChange:
    told: list = field(default_factory=list)
    promoted: list = field(default_factory=list)
    cancelled: list = field(default_factory=list)


def change_event(*, event, **changes):
    """
    Save staff's change to an event's time, place, online link, capacity or status.

    Under the event's lock: a change registrants must know of raises the event's
    sequence and emails each person it concerns (people_to_tell) what it replaced, with
    the updated invitation for those holding a seat; more seats promote waiting people;
    a new status of cancelled cancels every registration, as cancel_event does.
    """
    unknown = set(changes) - {*TOLD_FIELDS, "capacity", "status"}
    if unknown:
        raise TypeError(f"change_event() cannot change {', '.join(sorted(unknown))}")
    if changes.get("capacity") is not None and changes["capacity"] < 0:
        raise ValueError("Capacity cannot be negative.")
    with transaction.atomic():
        event = _locked(event)
        previous = _previous(event)
        changed = _apply(event, changes)
        told = _told(event, changed)
        cancelling = "status" in changed and event.status == Event.Status.CANCELLED
        reopening = "status" in changed and previous.status == Event.Status.CANCELLED
        if told or cancelling or reopening:
            event.sequence += 1
        if changed:
            event.save(update_fields=[*changed, "sequence", "updated"])
        if cancelling:
            return EventChange(cancelled=_cancel_registrations(event))
        recipients = list(_recipients(event, told, previous.end).select_for_update())
        for registration in recipients:
            registration.event = event
            queue_email(
                kind=OutgoingEmail.Kind.EVENT_CHANGED,
                registration=registration,
                previous=previous.wording(told, registration.language),
            )
        promoted = []
        if "capacity" in changes and event.status == Event.Status.PUBLISHED:
            promoted = _fill_free_seats(event)
        return EventChange(told=recipients, promoted=promoted)


def people_to_tell(*, event, **changes):
    """The registrations change_event(event=event, **changes) would email, from the stored event."""
    event = Event.objects.get(pk=event.pk)
    previous = _previous(event)
    changed = _apply(event, changes)
    if "status" in changed and event.status == Event.Status.CANCELLED:
        return event.registrations.live()
    return _recipients(event, _told(event, changed), previous.end)


@dataclass(frozen=True)
class _Previous:
    """An event as it was before a change, as the email about the change tells it."""

    status: str
    end: object
    worded: dict  # language -> (when, where), as that language writes them

    def wording(self, told, language):
        wording = {}
        when, where = self.worded.get(language) or self.worded[settings.LANGUAGE_CODE]
        if told & {*TIME_FIELDS}:
            wording["when"] = when
        if told & {*PLACE_FIELDS}:
            wording["where"] = where
        if "online_url" in told:
            wording["online_link"] = True
        return wording


def _previous(event):
    """The event before the change, worded in each language for its registrants' emails."""
    worded = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            worded[language] = (event.when, event.where)
    return _Previous(status=event.status, end=event.end, worded=worded)


def _apply(event, changes):
    """Set the changes on the event; returns the names of the fields whose value changed."""
    changed = [name for name, value in changes.items() if getattr(event, name) != value]
    for name in changed:
        setattr(event, name, changes[name])
    return changed


def _told(event, changed):
    """The changed fields that registrants must be told of; the online link only if online."""
    told = {name for name in changed if name in TIME_FIELDS + PLACE_FIELDS}
    if "online_url" in changed and event.is_online:
        told.add("online_url")
    return told


def _recipients(event, told, previous_end):
    """
    Everyone registered for a new time or place, only those holding a seat for a new online
    link; nobody for an event not published, or over both before and after the change.
    """
    registrations = event.registrations.live()
    over = max(previous_end, event.end) <= timezone.now()
    if not told or event.status != Event.Status.PUBLISHED or over:
        return registrations.none()
    if told <= {*LINK_FIELDS}:
        return registrations.confirmed()
    return registrations


def cancel_event(*, event):
    """
    Cancel the event and every live registration, emailing each person a calendar CANCEL.

    Returns the registrations cancelled.
    """
    with transaction.atomic():
        event = _locked(event)
        if event.status != Event.Status.CANCELLED:
            event.status = Event.Status.CANCELLED
            event.sequence += 1
            event.save(update_fields=["status", "sequence", "updated"])
        return _cancel_registrations(event)


def _cancel_registrations(event):
    """Cancel every live registration of the locked, cancelled event, telling each person."""
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
