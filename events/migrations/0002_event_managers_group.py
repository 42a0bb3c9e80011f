from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Event managers"
PERMISSIONS = {
    "event": ["add", "change", "delete", "view"],
    "registration": ["change", "view"],
    "outgoingemail": ["view"],
}


def create_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]
    codenames.append("view_organisation")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["events", "taskforce"], codename__in=codenames
        )
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("taskforce", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
