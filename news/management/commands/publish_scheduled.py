import logging

from django.core.management.base import BaseCommand, CommandError

from news.models import ArticleDraft

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Publish the draft changes whose scheduled time has come. Run it every minute "
        "(cron or a systemd timer); scheduled articles themselves need no command."
    )

    def handle(self, *args, **options):
        failed = 0
        for draft in ArticleDraft.objects.due().select_related("article"):
            try:
                article = draft.publish()
            except Exception:
                # One that fails (and is tried again next minute) holds up none of the others.
                logger.exception("Could not publish the scheduled changes to %s", draft.article)
                failed += 1
                continue
            self.stdout.write(f"Published the scheduled changes to “{article}”.")
        if failed:
            raise CommandError(f"{failed} scheduled changes could not be published (see the log).")
