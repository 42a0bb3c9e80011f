from django.db import migrations, models
from django.db.models import F


# What each row's short name said so far is its English: copied into short_name_en, so
# nothing is lost (short_name keeps it too). The French starts blank (NULL, which never
# collides under the unique constraint) and reads as the English until it is written.
def copy_into_english(apps, schema_editor):
    organisation = apps.get_model("taskforce", "organisation")
    organisation.objects.update(short_name_en=F("short_name"))


class Migration(migrations.Migration):

    dependencies = [
        ('taskforce', '0004_labels_in_each_language'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='short_name_en',
            field=models.CharField(help_text='E.g. ITU, ISO, IEC.', max_length=30, null=True, unique=True, verbose_name='short name'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='short_name_fr',
            field=models.CharField(help_text='E.g. ITU, ISO, IEC.', max_length=30, null=True, unique=True, verbose_name='short name'),
        ),
        migrations.RunPython(copy_into_english, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name='organisation',
            options={'ordering': ['short_name_en'], 'verbose_name': 'organisation', 'verbose_name_plural': 'organisations'},
        ),
    ]
