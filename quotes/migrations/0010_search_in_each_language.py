import django.contrib.postgres.search
from django.db import migrations

# The quote's words in each language in their own stored vector, with that language's
# text search configuration, and the speaker's name in both.
CREATE_SQL = """
CREATE FUNCTION quotes_quote_search_vector(quote_text text, speaker text, config regconfig)
RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector(config, coalesce(quote_text, '')), 'A')
        || setweight(to_tsvector(config, coalesce(speaker, '')), 'B')
$$;

CREATE OR REPLACE FUNCTION quotes_quote_search_vector_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    speaker text := (SELECT name FROM quotes_person WHERE id = NEW.person_id);
BEGIN
    NEW.search_vector := quotes_quote_search_vector(NEW.text_en, speaker, 'english');
    NEW.search_vector_fr := CASE WHEN coalesce(NEW.text_fr, '') = '' THEN NULL
        ELSE quotes_quote_search_vector(NEW.text_fr, speaker, 'french') END;
    RETURN NEW;
END
$$;

DROP TRIGGER quotes_quote_search_vector_update ON quotes_quote;
CREATE TRIGGER quotes_quote_search_vector_update
    BEFORE INSERT OR UPDATE OF text_en, text_fr, person_id ON quotes_quote
    FOR EACH ROW EXECUTE FUNCTION quotes_quote_search_vector_trigger();

CREATE OR REPLACE FUNCTION quotes_person_search_vector_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE quotes_quote SET
        search_vector = quotes_quote_search_vector(text_en, NEW.name, 'english'),
        search_vector_fr = CASE WHEN coalesce(text_fr, '') = '' THEN NULL
            ELSE quotes_quote_search_vector(text_fr, NEW.name, 'french') END
    WHERE person_id = NEW.id;
    RETURN NULL;
END
$$;

UPDATE quotes_quote SET text_en = text_en;

CREATE INDEX quotes_quote_search_vector_fr_idx ON quotes_quote USING gin (search_vector_fr);
"""

DROP_SQL = """
DROP INDEX IF EXISTS quotes_quote_search_vector_fr_idx;
DROP TRIGGER quotes_quote_search_vector_update ON quotes_quote;
CREATE OR REPLACE FUNCTION quotes_quote_search_vector_trigger() RETURNS trigger
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
CREATE OR REPLACE FUNCTION quotes_person_search_vector_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE quotes_quote SET search_vector = quotes_quote_search_vector(text, NEW.name)
    WHERE person_id = NEW.id;
    RETURN NULL;
END
$$;
DROP FUNCTION quotes_quote_search_vector(text, text, regconfig);
"""


def create_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0006_search_in_each_language"),
        ("quotes", "0009_person_quote_in_english_and_french"),
    ]

    operations = [
        migrations.AddField(
            model_name="quote",
            name="search_vector_fr",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_search_trigger, drop_search_trigger, elidable=False),
    ]
