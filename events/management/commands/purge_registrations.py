from django.conf import settings
from django.core.management.base import BaseCommand

from events import services


class Command(BaseCommand):
    help = (
        "Delete the personal data (registrations and their emails) of events that ended "
        "more than REGISTRATION_RETENTION_DAYS ago."
    )

    def handle(self, **options):
        days = settings.REGISTRATION_RETENTION_DAYS
        purged = services.purge_personal_data(retention_days=days)
        for event, count in purged.items():
            self.stdout.write(
                f"{event.title} ({event.end:%Y-%m-%d}): deleted {count} registrations."
            )
        total = sum(purged.values())
        self.stdout.write(
            f"Deleted {total} registrations of {len(purged)} events "
            f"that ended over {days} days ago."
        )
