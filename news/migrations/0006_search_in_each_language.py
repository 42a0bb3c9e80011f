import django.contrib.postgres.search
from django.db import migrations

# Each language's text in its own stored vector, with its own text search configuration:
# English from the _en columns, French from the _fr ones (blank for an article not yet in
# French, which French search then does not find).
CREATE_SQL = """
CREATE OR REPLACE FUNCTION news_article_search_vector_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title_en, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.summary_en, '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.body_en, '')), 'C');
    NEW.search_vector_fr :=
        setweight(to_tsvector('french', coalesce(NEW.title_fr, '')), 'A')
        || setweight(to_tsvector('french', coalesce(NEW.summary_fr, '')), 'B')
        || setweight(to_tsvector('french', coalesce(NEW.body_fr, '')), 'C');
    RETURN NEW;
END
$$;

DROP TRIGGER news_article_search_vector_update ON news_article;
CREATE TRIGGER news_article_search_vector_update
    BEFORE INSERT OR UPDATE OF title_en, summary_en, body_en, title_fr, summary_fr, body_fr
    ON news_article
    FOR EACH ROW EXECUTE FUNCTION news_article_search_vector_trigger();

UPDATE news_article SET title_en = title_en;

CREATE INDEX news_article_search_vector_fr_idx ON news_article USING gin (search_vector_fr);
"""

DROP_SQL = """
DROP INDEX IF EXISTS news_article_search_vector_fr_idx;
DROP TRIGGER news_article_search_vector_update ON news_article;
CREATE OR REPLACE FUNCTION news_article_search_vector_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END
$$;
CREATE TRIGGER news_article_search_vector_update
    BEFORE INSERT OR UPDATE OF title, summary, body ON news_article
    FOR EACH ROW EXECUTE FUNCTION news_article_search_vector_trigger();
"""


def create_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0005_article_topic_in_english_and_french"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector_fr",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_search_trigger, drop_search_trigger, elidable=False),
    ]
