from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.utils import timezone

from events.models import Event
from taskforce.models import Organisation

SLUG = "demo-smart-city-standards-workshop"


class Command(BaseCommand):
    help = "Add an upcoming demo event with two seats and a waiting list, to try registration."

    def handle(self, **options):
        zone = ZoneInfo("Europe/Zurich")
        day = timezone.localdate(timezone=zone) + timedelta(days=14)
        start = datetime.combine(day, time(14), tzinfo=zone)
        event, created = Event.objects.update_or_create(
            slug=SLUG,
            defaults={
                "title": "Demo: smart city standards workshop",
                "summary": "A demonstration event with two seats and a waiting list.",
                "body": "Register three times with different addresses: two people get a seat, "
                "the third joins the waiting list. Cancel one seat with the link in the email "
                "(printed on the console) and watch the first person waiting get it.",
                "start": start,
                "end": start + timedelta(hours=2),
                "time_zone": "Europe/Zurich",
                "venue_name": "Demo room",
                "venue_address": "Geneva, Switzerland",
                "capacity": 2,
                "waiting_list_enabled": True,
                "status": Event.Status.PUBLISHED,
            },
        )
        event.organisers.set(Organisation.objects.all())
        self.stdout.write(
            f"{'Created' if created else 'Updated'} “{event.title}” on {event.when}: "
            f"{event.get_absolute_url()}"
        )
