import time

from django.core.management.base import BaseCommand

from events.emails import send_pending


class Command(BaseCommand):
    help = "Send registration emails still waiting in the outbox (e.g. after a mail server outage)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Keep running as a worker, sending as emails arrive.",
        )
        parser.add_argument(
            "--interval", type=float, default=30, help="Seconds between rounds with --loop."
        )

    def handle(self, *, loop, interval, **options):
        while True:
            sent, failed = send_pending()
            if sent or failed or not loop:
                self.stdout.write(f"Sent {sent} emails; {failed} still pending.")
            if not loop:
                return
            time.sleep(interval)
