from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_APPS = ["news", "quotes"]


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so the group gets them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(
        Permission.objects.filter(content_type__app_label__in=EDITOR_APPS)
        # Read-only on organisations: the article and person forms pick them from a list.
        | Permission.objects.filter(
            content_type__app_label="taskforce", codename="view_organisation"
        )
    )


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("news", "0001_initial"),
        ("quotes", "0001_initial"),
        ("taskforce", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
