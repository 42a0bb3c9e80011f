from django.contrib.auth.management import create_permissions
from django.db import migrations

NEW_MODELS = ["articledraft", "embargolink"]


def let_editors_edit_drafts_and_links(apps, schema_editor):
    """The Editors group edits everything in news: the new draft changes and embargo links too."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="news", content_type__model__in=NEW_MODELS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0007_fill_photo_sizes"),
        ("news", "0004_fill_image_sizes"),
    ]

    operations = [migrations.RunPython(let_editors_edit_drafts_and_links, migrations.RunPython.noop)]
