import django.contrib.postgres.search
from django.db import migrations

# PostgreSQL keeps Event.search_vector up to date itself, for every way a row is
# written (save, bulk_create, raw SQL), so search never computes it at query time.
CREATE_SQL = """
CREATE FUNCTION events_event_search_vector_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.venue_name, '') || ' '
                                             || coalesce(NEW.venue_address, '')), 'C');
    RETURN NEW;
END
$$;

CREATE TRIGGER events_event_search_vector_update
    BEFORE INSERT OR UPDATE OF title, summary, venue_name, venue_address ON events_event
    FOR EACH ROW EXECUTE FUNCTION events_event_search_vector_trigger();

UPDATE events_event SET title = title;

CREATE INDEX events_event_search_vector_idx ON events_event USING gin (search_vector);
"""

DROP_SQL = """
DROP INDEX IF EXISTS events_event_search_vector_idx;
DROP TRIGGER IF EXISTS events_event_search_vector_update ON events_event;
DROP FUNCTION IF EXISTS events_event_search_vector_trigger();
"""


def create_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_event_image"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_search_trigger, drop_search_trigger, elidable=False),
    ]
