from django.db import migrations, models
from django.db.models import F

# What each row said so far is its English: copied into the new _en columns, so nothing
# is lost and French starts blank (pages show the English until it is written).
TRANSLATED = {
    "event": ('title', 'summary', 'body', 'venue_name'),
}


def copy_into_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("events", model_name)
        model.objects.update(**{f"{field}_en": F(field) for field in fields})



class Migration(migrations.Migration):

    dependencies = [
        ('events', '0010_event_search_vector'),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='body_en',
            field=models.TextField(blank=True, help_text='Plain text; blank lines separate paragraphs.', null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='body_fr',
            field=models.TextField(blank=True, help_text='Plain text; blank lines separate paragraphs.', null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='summary_en',
            field=models.CharField(help_text='One or two sentences for lists.', max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='summary_fr',
            field=models.CharField(help_text='One or two sentences for lists.', max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='title_en',
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='title_fr',
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='venue_name_en',
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='venue_name_fr',
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.RunPython(copy_into_english, migrations.RunPython.noop),
    ]
