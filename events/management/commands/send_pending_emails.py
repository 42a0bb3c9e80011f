import contextlib
import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from events.emails import MailServerUnavailable, Outbox, pending_emails

logger = logging.getLogger("events.emails")

MAX_BACKOFF_SECONDS = 60


class Outage:
    """One log line when something goes away and one when it is back, with backoff meanwhile."""

    def __init__(self, what, interval):
        self.what = what
        self.interval = interval
        self.since = None
        self.wait = interval

    def failed(self, error):
        if self.since is None:
            self.since = time.monotonic()
            self.wait = self.interval
            logger.error("%s, the outbox waits and retries: %s", self.what, error)
        else:
            self.wait = min(max(self.wait * 2, 1), MAX_BACKOFF_SECONDS)
        return self.wait

    def ended(self):
        if self.since is not None:
            logger.warning("%s: back after %.0f s", self.what, time.monotonic() - self.since)
            self.since = None


class Command(BaseCommand):
    help = "Send registration emails still waiting in the outbox (e.g. after a mail server outage)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Keep running as a worker, sending as emails arrive, through database and "
            "mail server outages; SIGTERM stops it after the email being sent.",
        )
        parser.add_argument(
            "--interval", type=float, default=1, help="Seconds between rounds with --loop."
        )

    def handle(self, *, loop, interval, **options):
        self.stopping = False
        outbox = Outbox()
        if not loop:
            try:
                sent, failed = outbox.send_round()
            except MailServerUnavailable as error:
                self.summary(error.sent, error.failed)
                raise CommandError(f"Mail server unavailable: {error}") from error
            self.summary(sent, failed)
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.stop)
        database = Outage("Database unreachable", interval)
        mail_server = Outage("Mail server unavailable", interval)
        while not self.stopping:
            wait = interval
            try:
                try:
                    sent, failed = outbox.send_round(stopping=lambda: self.stopping)
                    mail_server.ended()
                except MailServerUnavailable as error:
                    sent, failed = error.sent, error.failed
                    wait = mail_server.failed(error)
                database.ended()
                if sent or failed:
                    self.summary(sent, failed)
            except DatabaseError as error:
                wait = database.failed(error)
                self.drop_connection()
            self.sleep(wait)

    def summary(self, sent, failed):
        pending = pending_emails().count()
        failures = f", {failed} failed" if failed else ""
        self.stdout.write(f"Sent {sent} emails{failures}; {pending} still pending.")

    @staticmethod
    def drop_connection():
        with contextlib.suppress(DatabaseError):
            connection.close()

    def sleep(self, seconds):
        until = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < until:
            time.sleep(min(0.1, max(until - time.monotonic(), 0)))

    def stop(self, signum, frame):
        self.stopping = True
