from django.db import migrations, models
from django.db.models import F

# What each row said so far is its English: copied into the new _en columns, so nothing
# is lost and French starts blank (pages show the English until it is written).
TRANSLATED = {
    "organisation": ('name', 'description'),
}


def copy_into_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("taskforce", model_name)
        model.objects.update(**{f"{field}_en": F(field) for field in fields})



class Migration(migrations.Migration):

    dependencies = [
        ('taskforce', '0002_organisation_founded_the_task_force'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='description_en',
            field=models.TextField(blank=True, help_text='What the body is, in a sentence or two: the first thing its page says.', null=True),
        ),
        migrations.AddField(
            model_name='organisation',
            name='description_fr',
            field=models.TextField(blank=True, help_text='What the body is, in a sentence or two: the first thing its page says.', null=True),
        ),
        migrations.AddField(
            model_name='organisation',
            name='name_en',
            field=models.CharField(max_length=200, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='organisation',
            name='name_fr',
            field=models.CharField(max_length=200, null=True, unique=True),
        ),
        migrations.RunPython(copy_into_english, migrations.RunPython.noop),
    ]
