import re

from django.db import migrations, models

MANAGE_LINK = re.compile(r"/events/manage/([A-Za-z0-9_-]{20,100})/")


def keep_tokens_of_pending_emails(apps, schema_editor):
    """Emails still pending keep their manage link: its token moves out of the stored body."""
    OutgoingEmail = apps.get_model("events", "OutgoingEmail")
    for email in OutgoingEmail.objects.filter(sent_at__isnull=True).exclude(body_text=""):
        found = MANAGE_LINK.search(email.body_text)
        if found:
            email.manage_token = found.group(1)
            email.save(update_fields=["manage_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_event_managers_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="manage_token",
            field=models.CharField(
                blank=True, help_text="The private link's token, cleared once sent.", max_length=100
            ),
        ),
        migrations.RunPython(keep_tokens_of_pending_emails, migrations.RunPython.noop),
        migrations.RemoveField(model_name="outgoingemail", name="body_html"),
        migrations.RemoveField(model_name="outgoingemail", name="body_text"),
        migrations.RemoveField(model_name="outgoingemail", name="calendar"),
    ]
