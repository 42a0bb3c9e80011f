import django.contrib.postgres.search
from django.db import migrations

# PostgreSQL keeps Article.search_vector up to date itself, for every way a row is
# written (save, bulk_create, raw SQL), so search never computes it at query time.
CREATE_SQL = """
CREATE FUNCTION news_article_search_vector_trigger() RETURNS trigger
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

UPDATE news_article SET title = title;

CREATE INDEX news_article_search_vector_idx ON news_article USING gin (search_vector);
"""

DROP_SQL = """
DROP INDEX IF EXISTS news_article_search_vector_idx;
DROP TRIGGER IF EXISTS news_article_search_vector_update ON news_article;
DROP FUNCTION IF EXISTS news_article_search_vector_trigger();
"""


def create_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_search_trigger, drop_search_trigger, elidable=False),
    ]
