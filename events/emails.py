"""Registration emails through an outbox table.

Services write an OutgoingEmail inside their transaction: only what to send
(kind, registration, and for a change what it replaced), so the event's lock is
held for one small insert. The email is rendered when it is delivered, after
the commit (EMAIL_SEND_AT_ONCE) or by `manage.py send_pending_emails`; a mail
server that is down leaves it pending for the next round. The private link is
derived from the registration as the email is rendered: the outbox never holds it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .calendar import CANCEL, REQUEST, absolute_url, build_invitation
from .models import OutgoingEmail

logger = logging.getLogger(__name__)

SUBJECTS = {
    OutgoingEmail.Kind.CONFIRMED: "You are registered: {title}",
    OutgoingEmail.Kind.WAITLISTED: "You are on the waiting list: {title}",
    OutgoingEmail.Kind.PROMOTED: "A seat is yours: {title}",
    OutgoingEmail.Kind.CANCELLED: "Your registration is cancelled: {title}",
    OutgoingEmail.Kind.EVENT_CANCELLED: "Event cancelled: {title}",
    OutgoingEmail.Kind.EVENT_CHANGED: "Event changed: {title}",
    OutgoingEmail.Kind.MANAGE_LINK: "Your registration: {title}",
    OutgoingEmail.Kind.REMINDER: "Tomorrow: {title}",
}
# The invitation an email carries. A REQUEST only ever goes to someone holding a seat
# when the email is rendered: people waiting get none, as no seat is held for them.
WITH_REQUEST = {
    OutgoingEmail.Kind.CONFIRMED,
    OutgoingEmail.Kind.PROMOTED,
    OutgoingEmail.Kind.REMINDER,
    OutgoingEmail.Kind.EVENT_CHANGED,
}
WITH_CANCEL = {OutgoingEmail.Kind.CANCELLED, OutgoingEmail.Kind.EVENT_CANCELLED}
CLAIM_SECONDS = 300
BATCH_SIZE = 20


def queue_email(*, kind, registration, previous=None):
    """Record the email inside the caller's transaction, so it can never be lost.

    It is sent after the commit (EMAIL_SEND_AT_ONCE) or by the outbox worker.
    previous: what a change replaced, as the email tells it (EVENT_CHANGED).
    """
    email = OutgoingEmail.objects.create(
        registration=registration,
        kind=kind,
        to=registration.email,
        subject=SUBJECTS[kind].format(title=registration.event.title)[:300],
        previous=previous or {},
    )
    if settings.EMAIL_SEND_AT_ONCE:
        transaction.on_commit(lambda: deliver(email.pk))
    return email


def invitation_method(email):
    """REQUEST, CANCEL or None: the calendar update this email carries when sent now."""
    registration = email.registration
    event = registration.event
    if email.kind in WITH_CANCEL:
        return CANCEL
    holds_seat = registration.status == registration.Status.CONFIRMED
    if email.kind in WITH_REQUEST and holds_seat and event.status == event.Status.PUBLISHED:
        return REQUEST
    return None


def build_message(email):
    """The email as it is sent: text and HTML bodies, and the invitation where one belongs.

    The invitation goes both as an alternative part (text/calendar with its method, which
    Outlook and Gmail read as an invitation) and as an attachment (event.ics) for the
    rest; its DTSTAMP is when the email was queued, the same on every retry.
    """
    registration = email.registration
    event = registration.event
    confirmed = registration.status == registration.Status.CONFIRMED
    method = invitation_method(email)
    context = {
        "registration": registration,
        "event": event,
        "event_url": absolute_url(event.get_absolute_url()),
        "manage_url": absolute_url(registration.get_manage_url()),
        "online_url": event.online_url if confirmed and event.is_online else "",
        "position": registration.waiting_position,
        "previous": email.previous,
        "invitation": method,
        "site_name": settings.SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=render_to_string(f"emails/{email.kind}.txt", context),
        to=[email.to],
    )
    message.attach_alternative(render_to_string(f"emails/{email.kind}.html", context), "text/html")
    if method:
        invitation = build_invitation(registration, method=method, stamp=email.created)
        message.attach_alternative(invitation.decode(), f"text/calendar; method={method}")
        message.attach("event.ics", invitation, "application/ics")
    return message


def claimable(now):
    """Not taken by a process sending it, or taken by one that stopped before it was sent."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def claim(email_id, now=None):
    """Take one pending email for sending; False if sent or another process has it."""
    now = now or timezone.now()
    return bool(
        OutgoingEmail.objects.filter(pk=email_id, sent_at__isnull=True)
        .filter(claimable(now))
        .update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )


def claim_batch(pending, size, now=None):
    """
    Up to `size` of the `pending` emails, taken for sending in one transaction.

    A process claiming at the same moment skips the rows locked here (SKIP LOCKED),
    and the claim keeps other rounds off them until it lapses.
    """
    now = now or timezone.now()
    with transaction.atomic():
        emails = list(
            pending.filter(claimable(now))
            .select_related("registration__event")
            .select_for_update(skip_locked=True, of=("self",))[:size]
        )
        OutgoingEmail.objects.filter(pk__in=[email.pk for email in emails]).update(
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
        )
    return emails


def send(email, connection=None):
    """Build and send one claimed email; on failure log it, release it and return False.

    connection: an open mail connection to reuse (send_pending sends a round on one).
    """
    try:
        message = build_message(email)
        message.connection = connection
        message.send()
    except Exception as error:
        logger.warning(
            "Email %s (%s) could not be sent, will retry: %r", email.pk, email.kind, error
        )
        OutgoingEmail.objects.filter(pk=email.pk).update(
            attempts=F("attempts") + 1, last_error=repr(error)[:2000], claimed_until=None
        )
        if connection is not None:
            connection.close()  # the next email opens a fresh one
        return False
    return True


def mark_sent(emails):
    OutgoingEmail.objects.filter(pk__in=[email.pk for email in emails]).update(
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
        claimed_until=None,
    )


def deliver(email_id):
    """Send one email now (EMAIL_SEND_AT_ONCE); returns True when sent."""
    if not claim(email_id):
        return False
    email = OutgoingEmail.objects.select_related("registration__event").get(pk=email_id)
    if not send(email):
        return False
    mark_sent([email])
    return True


def send_pending(*, max_attempts=None, stopping=lambda: False, batch_size=BATCH_SIZE):
    """Try every pending email once, oldest first, until stopping(); returns (sent, failed).

    The round shares one connection to the mail server instead of one per email, and
    claims and records the emails a batch at a time instead of three queries each.
    """
    max_attempts = max_attempts or settings.EMAIL_MAX_ATTEMPTS
    pending = OutgoingEmail.objects.filter(
        sent_at__isnull=True, attempts__lt=max_attempts
    ).order_by("pk")
    sent = failed = 0
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        logger.warning("Mail server unreachable, trying each email on its own: %r", error)
        connection = None
    try:
        last_pk = 0
        while not stopping():
            batch = claim_batch(pending.filter(pk__gt=last_pk), batch_size)
            if not batch:
                break
            last_pk = batch[-1].pk
            delivered, tried = [], 0
            try:
                for email in batch:
                    if stopping():
                        break
                    tried += 1
                    if send(email, connection):
                        delivered.append(email)
                    else:
                        failed += 1
            finally:
                mark_sent(delivered)
                sent += len(delivered)
                untried = [email.pk for email in batch[tried:]]
                OutgoingEmail.objects.filter(pk__in=untried).update(claimed_until=None)
    finally:
        if connection is not None:
            connection.close()
    return sent, failed
