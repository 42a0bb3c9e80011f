from django.db import migrations


def fill_photo_sizes(apps, schema_editor):
    """Photos uploaded before sizes were stored: read each one's size once."""
    Person = apps.get_model("quotes", "Person")
    field = Person._meta.get_field("photo")
    for person in Person.objects.exclude(photo="").filter(photo_width__isnull=True):
        field.update_dimension_fields(person, force=True)
        if person.photo_width:
            person.save(update_fields=["photo_width", "photo_height"])


class Migration(migrations.Migration):
    dependencies = [("quotes", "0006_person_photo_sizes")]

    operations = [migrations.RunPython(fill_photo_sizes, migrations.RunPython.noop)]
