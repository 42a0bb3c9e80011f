"""Registration emails through an outbox table.

Services write an OutgoingEmail inside their transaction: only what to send
(kind, registration, and for a change what it replaced), so the event's lock is
held for one small insert. The email is rendered when it is delivered, after
the commit (EMAIL_SEND_AT_ONCE) or by `manage.py send_pending_emails`; a mail
server that is down leaves it pending for the next round. The private link is
derived from the registration as the email is rendered: the outbox never holds it.
"""

import contextlib
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, transaction
from django.db.models import Count, F, Min, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from taskforce.context_processors import site_name, site_sender

from .calendar import CANCEL, REQUEST, absolute_url, build_invitation
from .models import OutgoingEmail

logger = logging.getLogger(__name__)

SUBJECTS = {
    OutgoingEmail.Kind.CONFIRMED: _("You are registered: {title}"),
    OutgoingEmail.Kind.WAITLISTED: _("You are on the waiting list: {title}"),
    OutgoingEmail.Kind.PROMOTED: _("A seat is yours: {title}"),
    OutgoingEmail.Kind.CANCELLED: _("Your registration is cancelled: {title}"),
    OutgoingEmail.Kind.EVENT_CANCELLED: _("Event cancelled: {title}"),
    OutgoingEmail.Kind.EVENT_CHANGED: _("Event changed: {title}"),
    OutgoingEmail.Kind.MANAGE_LINK: _("Your registration: {title}"),
    OutgoingEmail.Kind.REMINDER: _("Tomorrow: {title}"),
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
    with translation.override(registration.language):
        subject = str(SUBJECTS[kind]).format(title=registration.event.title)[:300]
    email = OutgoingEmail.objects.create(
        registration=registration,
        kind=kind,
        to=registration.email,
        subject=subject,
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
    rest; its DTSTAMP is when the email was queued, the same on every retry. All of it is
    in the language the registrant registered in.
    """
    with translation.override(email.registration.language):
        return _build_message(email)


def _build_message(email):
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
        "site_name": site_name(),
    }
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=render_to_string(f"emails/{email.kind}.txt", context),
        from_email=site_sender(),
        to=[email.to],
    )
    message.attach_alternative(render_to_string(f"emails/{email.kind}.html", context), "text/html")
    if method:
        invitation = build_invitation(registration, method=method, stamp=email.created)
        message.attach_alternative(invitation.decode(), f"text/calendar; method={method}")
        message.attach("event.ics", invitation, "application/ics")
    return message


def pending_emails(max_attempts=None):
    """Emails not sent yet that the worker will still try."""
    max_attempts = max_attempts or settings.EMAIL_MAX_ATTEMPTS
    return OutgoingEmail.objects.filter(sent_at__isnull=True, attempts__lt=max_attempts)


def outbox_status(now=None):
    """(number of emails waiting, seconds the oldest has waited or None): what operators watch."""
    now = now or timezone.now()
    status = pending_emails().aggregate(count=Count("pk"), oldest=Min("created"))
    oldest = status["oldest"]
    return status["count"], (now - oldest).total_seconds() if oldest else None


def describe_wait(seconds):
    """How long an email has waited, in the active language: "45 seconds", "1.5 hours"."""
    if seconds is None:
        return gettext("none waiting")
    if seconds < 120:
        count = round(seconds)
        return ngettext("%(count)d second", "%(count)d seconds", count) % {"count": count}
    if seconds < 2 * 3600:
        count = round(seconds / 60)
        return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}
    return gettext("%(hours)s hours") % {"hours": formats.number_format(seconds / 3600, 1)}


def outbox_report():
    """/readyz lines: what an operator alerts on when the worker or the mail server stops."""
    count, oldest = outbox_status()
    return [
        f"emails pending: {count}",
        f"oldest pending email: {0 if oldest is None else round(oldest)} s",
    ]


def claimable(now):
    """Not taken by a process sending it nor waiting for a retry, or taken by one that stopped."""
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


def retry_delay(attempts):
    """After a failed try: at once the first time, then 1, 2, 4 ... minutes, at most an hour."""
    if attempts <= 1:
        return None
    return timedelta(minutes=min(2 ** (attempts - 2), 60))


class MailServerUnavailable(Exception):
    """The mail server could not be reached or stopped answering: the round ends here."""


# Failures of one message, after which the connection still works; anything else
# (reset, timeout, closed) means the server itself is in trouble.
MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


def is_server_error(error):
    return isinstance(error, OSError) and not isinstance(error, MESSAGE_ERRORS)


def send(email, connection=None):
    """Build and send one claimed email; on failure log it, schedule a retry and return False.

    connection: an open mail connection to reuse (send_pending sends a round on one).
    """
    return attempt(email, connection) is None


def attempt(email, connection=None):
    """send(), returning the error (None when sent); a server's error also closes connection."""
    try:
        message = build_message(email)
        message.connection = connection
        message.send()
    except Exception as error:
        logger.warning(
            "Email %s (%s) could not be sent, will retry: %r", email.pk, email.kind, error
        )
        delay = retry_delay(email.attempts + 1)
        OutgoingEmail.objects.filter(pk=email.pk).update(
            attempts=F("attempts") + 1,
            last_error=repr(error)[:2000],
            claimed_until=timezone.now() + delay if delay else None,
        )
        if connection is not None and is_server_error(error):
            connection.close()  # the next email opens a fresh one
        return error
    return None


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


class Outbox:
    """
    Sends what is pending, round after round (send_pending_emails); safe to run many at once.

    Each email is recorded as sent as soon as the server took it, so a worker killed
    outright sends again at most the one it was sending. What could not be written
    because the database went away (emails sent, claims to release) is kept here
    and written first when it is back, so a database outage duplicates nothing.
    """

    def __init__(self, *, max_attempts=None, batch_size=BATCH_SIZE):
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.sent_unrecorded = []
        self.claims_to_release = []

    def settle(self):
        """Write down what an earlier round could not; raises DatabaseError while it still can't."""
        if self.sent_unrecorded:
            mark_sent(self.sent_unrecorded)
            self.sent_unrecorded = []
        if self.claims_to_release:
            self._release(self.claims_to_release)
            self.claims_to_release = []

    @staticmethod
    def _release(emails):
        OutgoingEmail.objects.filter(pk__in=[email.pk for email in emails]).update(
            claimed_until=None
        )

    def send_round(self, *, stopping=lambda: False):
        """
        Try every pending email once, oldest first, until stopping(); returns (sent, failed).

        The round shares one connection to the mail server, opened when there is
        something to send, and claims emails a batch at a time. If the server cannot
        be reached, or fails twice running, the round stops and MailServerUnavailable
        is raised (with .sent and .failed): the emails wait for the next round.
        """
        self.settle()
        pending = pending_emails(self.max_attempts).order_by("pk")
        sent = failed = server_errors = 0
        connection = None
        try:
            last_pk = 0
            while not stopping():
                batch = claim_batch(pending.filter(pk__gt=last_pk), self.batch_size)
                if not batch:
                    break
                last_pk = batch[-1].pk
                untried = list(batch)
                try:
                    while untried and not stopping():
                        if connection is None:
                            connection = self._open()
                        email = untried[0]
                        error = attempt(email, connection)  # a DatabaseError leaves it untried
                        untried.pop(0)
                        if error is None:
                            self._record_sent(email)
                            sent += 1
                            server_errors = 0
                            continue
                        failed += 1
                        if is_server_error(error):
                            connection = None  # closed by attempt(); the next email reopens
                            server_errors += 1
                            if server_errors == 2:
                                raise MailServerUnavailable(repr(error)) from error
                finally:
                    self._release_or_remember(untried)
        except MailServerUnavailable as error:
            error.sent, error.failed = sent, failed
            raise
        finally:
            if connection is not None:
                connection.close()
        return sent, failed

    @staticmethod
    def _open():
        connection = get_connection()
        try:
            connection.open()
        except Exception as error:
            with contextlib.suppress(Exception):
                connection.close()
            raise MailServerUnavailable(repr(error)) from error
        return connection

    def _record_sent(self, email):
        try:
            mark_sent([email])
        except DatabaseError:
            self.sent_unrecorded.append(email)
            raise

    def _release_or_remember(self, emails):
        if not emails:
            return
        try:
            self._release(emails)
        except DatabaseError:
            self.claims_to_release.extend(emails)


def send_pending(*, max_attempts=None, stopping=lambda: False, batch_size=BATCH_SIZE):
    """One round of the outbox (Outbox.send_round); returns (sent, failed)."""
    outbox = Outbox(max_attempts=max_attempts, batch_size=batch_size)
    return outbox.send_round(stopping=stopping)
