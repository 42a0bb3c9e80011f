import signal
import time

from django.core.management.base import BaseCommand

from events.emails import send_pending


class Command(BaseCommand):
    help = "Send registration emails still waiting in the outbox (e.g. after a mail server outage)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Keep running as a worker, sending as emails arrive; SIGTERM stops it "
            "after the email being sent.",
        )
        parser.add_argument(
            "--interval", type=float, default=30, help="Seconds between rounds with --loop."
        )

    def handle(self, *, loop, interval, **options):
        self.stopping = False
        if loop:
            signal.signal(signal.SIGTERM, self.stop)
        while not self.stopping:
            sent, failed = send_pending(stopping=lambda: self.stopping)
            if sent or failed or not loop:
                self.stdout.write(f"Sent {sent} emails; {failed} still pending.")
            if not loop:
                return
            time.sleep(interval)

    def stop(self, signum, frame):
        self.stopping = True
