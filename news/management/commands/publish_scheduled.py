from django.core.management.base import BaseCommand

from news.models import ArticleDraft


class Command(BaseCommand):
    help = (
        "Publish the draft changes whose scheduled time has come. Run it every minute "
        "(cron or a systemd timer); scheduled articles themselves need no command."
    )

    def handle(self, *args, **options):
        for draft in ArticleDraft.objects.due().select_related("article"):
            article = draft.publish()
            self.stdout.write(f"Published the scheduled changes to “{article}”.")
