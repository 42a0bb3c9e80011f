import django.contrib.postgres.search
from django.db import migrations

# Each language's text in its own stored vector, with its own text search configuration:
# English from the _en columns, French from the _fr ones (blank for an event not yet in
# French, which French search then does not find); the address, not translated, in both.
CREATE_SQL = """
CREATE OR REPLACE FUNCTION events_event_search_vector_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title_en, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.summary_en, '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.venue_name_en, '') || ' '
                                             || coalesce(NEW.venue_address, '')), 'C');
    NEW.search_vector_fr := CASE WHEN coalesce(NEW.title_fr, '') = '' THEN NULL ELSE
        setweight(to_tsvector('french', coalesce(NEW.title_fr, '')), 'A')
        || setweight(to_tsvector('french', coalesce(NEW.summary_fr, '')), 'B')
        || setweight(to_tsvector('french', coalesce(NEW.venue_name_fr, '') || ' '
                                            || coalesce(NEW.venue_address, '')), 'C')
    END;
    RETURN NEW;
END
$$;

DROP TRIGGER events_event_search_vector_update ON events_event;
CREATE TRIGGER events_event_search_vector_update
    BEFORE INSERT OR UPDATE OF title_en, summary_en, venue_name_en, title_fr, summary_fr,
        venue_name_fr, venue_address ON events_event
    FOR EACH ROW EXECUTE FUNCTION events_event_search_vector_trigger();

UPDATE events_event SET title_en = title_en;

CREATE INDEX events_event_search_vector_fr_idx ON events_event USING gin (search_vector_fr);
"""

DROP_SQL = """
DROP INDEX IF EXISTS events_event_search_vector_fr_idx;
DROP TRIGGER events_event_search_vector_update ON events_event;
CREATE OR REPLACE FUNCTION events_event_search_vector_trigger() RETURNS trigger
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
"""


def create_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0011_event_in_english_and_french"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="search_vector_fr",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_search_trigger, drop_search_trigger, elidable=False),
    ]
