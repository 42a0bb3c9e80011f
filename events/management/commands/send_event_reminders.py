from django.core.management.base import BaseCommand

from events import services


class Command(BaseCommand):
    help = "Email confirmed people of events starting within a day; each is reminded only once."

    def handle(self, **options):
        reminded = services.send_reminders()
        self.stdout.write(f"Queued {len(reminded)} reminders.")
