from django.db import migrations, models
from django.db.models import F

# What each row said so far is its English: copied into the new _en columns, so nothing
# is lost and French starts blank (pages show the English until it is written).
TRANSLATED = {
    "article": ('title', 'summary', 'body', 'image_alt'),
    "articledraft": ('title', 'summary', 'body', 'image_alt'),
    "topic": ('name',),
}


def copy_into_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("news", model_name)
        model.objects.update(**{f"{field}_en": F(field) for field in fields})



class Migration(migrations.Migration):

    dependencies = [
        ('news', '0004_fill_image_sizes'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='body_en',
            field=models.TextField(help_text='Headings, lists, links and emphasis; anything else is removed on save.', null=True),
        ),
        migrations.AddField(
            model_name='article',
            name='body_fr',
            field=models.TextField(help_text='Headings, lists, links and emphasis; anything else is removed on save.', null=True),
        ),
        migrations.AddField(
            model_name='article',
            name='image_alt_en',
            field=models.CharField(blank=True, help_text='What the image shows, for people who cannot see it. Required with an image.', max_length=250, null=True, verbose_name='image alt text'),
        ),
        migrations.AddField(
            model_name='article',
            name='image_alt_fr',
            field=models.CharField(blank=True, help_text='What the image shows, for people who cannot see it. Required with an image.', max_length=250, null=True, verbose_name='image alt text'),
        ),
        migrations.AddField(
            model_name='article',
            name='summary_en',
            field=models.TextField(help_text='The standfirst: one or two sentences shown in lists and feeds.', max_length=500, null=True),
        ),
        migrations.AddField(
            model_name='article',
            name='summary_fr',
            field=models.TextField(help_text='The standfirst: one or two sentences shown in lists and feeds.', max_length=500, null=True),
        ),
        migrations.AddField(
            model_name='article',
            name='title_en',
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='article',
            name='title_fr',
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='articledraft',
            name='body_en',
            field=models.TextField(help_text='Headings, lists, links and emphasis; anything else is removed on save.', null=True),
        ),
        migrations.AddField(
            model_name='articledraft',
            name='body_fr',
            field=models.TextField(help_text='Headings, lists, links and emphasis; anything else is removed on save.', null=True),
        ),
        migrations.AddField(
            model_name='articledraft',
            name='image_alt_en',
            field=models.CharField(blank=True, help_text='What the image shows, for people who cannot see it. Required with an image.', max_length=250, null=True, verbose_name='image alt text'),
        ),
        migrations.AddField(
            model_name='articledraft',
            name='image_alt_fr',
            field=models.CharField(blank=True, help_text='What the image shows, for people who cannot see it. Required with an image.', max_length=250, null=True, verbose_name='image alt text'),
        ),
        migrations.AddField(
            model_name='articledraft',
            name='summary_en',
            field=models.TextField(help_text='The standfirst: one or two sentences shown in lists and feeds.', max_length=500, null=True),
        ),
        migrations.AddField(
            model_name='articledraft',
            name='summary_fr',
            field=models.TextField(help_text='The standfirst: one or two sentences shown in lists and feeds.', max_length=500, null=True),
        ),
        migrations.AddField(
            model_name='articledraft',
            name='title_en',
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='articledraft',
            name='title_fr',
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='topic',
            name='name_en',
            field=models.CharField(max_length=100, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='topic',
            name='name_fr',
            field=models.CharField(max_length=100, null=True, unique=True),
        ),
        migrations.RunPython(copy_into_english, migrations.RunPython.noop),
    ]
