"""`manage.py check --database default` warns when the outbox stops moving."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from .emails import describe_wait, outbox_status


@checks.register(checks.Tags.database)
def check_outbox(app_configs, databases=None, **kwargs):
    if not databases:
        return []
    try:
        count, oldest = outbox_status()
    except DatabaseError:
        return []  # Not migrated yet (migrate runs these checks first), or unreachable.
    if oldest is not None and oldest > settings.EMAIL_PENDING_ALERT_SECONDS:
        return [
            checks.Warning(
                f"{count} emails are waiting to be sent; the oldest for {describe_wait(oldest)}.",
                hint="Is send_pending_emails --loop running, and the mail server reachable? "
                "The outbox worker's log says which.",
                id="events.W001",
            )
        ]
    return []
