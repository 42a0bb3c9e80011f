from django.db import migrations


def fill_image_sizes(apps, schema_editor):
    """Images uploaded before sizes were stored: read each one's size once."""
    Article = apps.get_model("news", "Article")
    field = Article._meta.get_field("image")
    for article in Article.objects.exclude(image="").filter(image_width__isnull=True):
        field.update_dimension_fields(article, force=True)
        if article.image_width:
            article.save(update_fields=["image_width", "image_height"])


class Migration(migrations.Migration):
    dependencies = [("news", "0003_article_drafts_embargo_links_image_sizes")]

    operations = [migrations.RunPython(fill_image_sizes, migrations.RunPython.noop)]
