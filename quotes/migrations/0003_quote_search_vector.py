import django.contrib.postgres.search
from django.db import migrations

# PostgreSQL keeps Quote.search_vector up to date itself: the quote's words (weight A)
# and the speaker's name (weight B), for every way a quote is written (save,
# bulk_create, raw SQL) and when a person is renamed.
CREATE_SQL = """
CREATE FUNCTION quotes_quote_search_vector(quote_text text, speaker text) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector('english', coalesce(quote_text, '')), 'A')
        || setweight(to_tsvector('english', coalesce(speaker, '')), 'B')
$$;

CREATE FUNCTION quotes_quote_search_vector_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := quotes_quote_search_vector(
        NEW.text, (SELECT name FROM quotes_person WHERE id = NEW.person_id)
    );
    RETURN NEW;
END
$$;

CREATE TRIGGER quotes_quote_search_vector_update
    BEFORE INSERT OR UPDATE OF text, person_id ON quotes_quote
    FOR EACH ROW EXECUTE FUNCTION quotes_quote_search_vector_trigger();

CREATE FUNCTION quotes_person_search_vector_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE quotes_quote SET search_vector = quotes_quote_search_vector(text, NEW.name)
    WHERE person_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER quotes_person_search_vector_update
    AFTER UPDATE OF name ON quotes_person
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION quotes_person_search_vector_trigger();

UPDATE quotes_quote SET text = text;

CREATE INDEX quotes_quote_search_vector_idx ON quotes_quote USING gin (search_vector);
"""

DROP_SQL = """
DROP INDEX IF EXISTS quotes_quote_search_vector_idx;
DROP TRIGGER IF EXISTS quotes_person_search_vector_update ON quotes_person;
DROP FUNCTION IF EXISTS quotes_person_search_vector_trigger();
DROP TRIGGER IF EXISTS quotes_quote_search_vector_update ON quotes_quote;
DROP FUNCTION IF EXISTS quotes_quote_search_vector_trigger();
DROP FUNCTION IF EXISTS quotes_quote_search_vector(text, text);
"""


def create_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0002_article_search_vector'),
        ('quotes', '0002_editors_group'),
    ]

    operations = [
        migrations.AddField(
            model_name='quote',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_search_trigger, drop_search_trigger, elidable=False),
    ]
