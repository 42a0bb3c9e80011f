from django.db import migrations, models
from django.db.models import F

# What each row said so far is its English: copied into the new _en columns, so nothing
# is lost and French starts blank (pages show the English until it is written).
TRANSLATED = {
    "person": ('role',),
    "quote": ('text', 'speaker_role'),
}


def copy_into_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("quotes", model_name)
        model.objects.update(**{f"{field}_en": F(field) for field in fields})



class Migration(migrations.Migration):

    dependencies = [
        ('quotes', '0008_editors_edit_drafts_and_embargo_links'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='role_en',
            field=models.CharField(blank=True, help_text='Current role, e.g. ISO Secretary-General.', max_length=200, null=True, verbose_name='role or title'),
        ),
        migrations.AddField(
            model_name='person',
            name='role_fr',
            field=models.CharField(blank=True, help_text='Current role, e.g. ISO Secretary-General.', max_length=200, null=True, verbose_name='role or title'),
        ),
        migrations.AddField(
            model_name='quote',
            name='speaker_role_en',
            field=models.CharField(blank=True, help_text="Left blank, the person's current role is filled in.", max_length=200, null=True, verbose_name="speaker's role when quoted"),
        ),
        migrations.AddField(
            model_name='quote',
            name='speaker_role_fr',
            field=models.CharField(blank=True, help_text="Left blank, the person's current role is filled in.", max_length=200, null=True, verbose_name="speaker's role when quoted"),
        ),
        migrations.AddField(
            model_name='quote',
            name='text_en',
            field=models.TextField(help_text='The words exactly as spoken, without quotation marks.', null=True),
        ),
        migrations.AddField(
            model_name='quote',
            name='text_fr',
            field=models.TextField(help_text='The words exactly as spoken, without quotation marks.', null=True),
        ),
        migrations.RunPython(copy_into_english, migrations.RunPython.noop),
    ]
