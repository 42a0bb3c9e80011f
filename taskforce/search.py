"""
How one kind of content is searched: the QuerySet every searchable model's builds on.
The search page (the `search` app) combines the kinds; docs/search.md explains both.
"""

from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, models
from django.db.models import F, Q, Subquery

from .expressions import CountAll
from .languages import TranslatedQuerySet, active_language

# Each language's text is searched in its own stored vector, with its own text search
# configuration (stemming, stop words); triggers fill them (docs/translation.md).
SEARCH_IN_LANGUAGE = {"en": ("english", "search_vector"), "fr": ("french", "search_vector_fr")}
SEARCH_VECTORS = tuple(vector for _, vector in SEARCH_IN_LANGUAGE.values())


def search_config():
    """The text search configuration of the active language (english, french)."""
    return SEARCH_IN_LANGUAGE[active_language()][0]


class SearchQueryOnce(SearchQuery):
    """
    The words searched, parsed once per statement: `(SELECT websearch_to_tsquery(...))`.

    A prepared statement's generic plan would otherwise parse them again for every row
    it tests (a third slower on a large archive), and PostgreSQL, not knowing how common
    they are, reads the matches from the GIN index instead of testing every row.
    """

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return f"(SELECT {sql})", params


class SearchableManager(models.Manager):
    """Leaves out the stored search vectors, which only search reads (in SQL)."""

    def get_queryset(self):
        return super().get_queryset().defer(*SEARCH_VECTORS)


class SearchableQuerySet(TranslatedQuerySet):
    """
    Full-text search on PostgreSQL, ranked over every match; elsewhere every word
    searched must appear in one of `search_fields`, in any order.

    A model sets `search_fields` and `search_order` (the order of equal ranks, and of
    matches where nothing is ranked); `search_document()` is its weighted tsvector:
    the stored vector of the active language (kept by a trigger, GIN-indexed) by
    default, so each language's search reads its own text with its own configuration.
    """

    search_fields = ()
    search_order = ("-pk",)

    def search_document(self):
        return F(SEARCH_IN_LANGUAGE[active_language()][1])

    def _search_query(self, query):
        return SearchQueryOnce(query, search_type="websearch", config=search_config())

    def search_matches(self, query):
        """Every row matching `query`, in no particular order (for counting)."""
        if connection.vendor == "postgresql":
            matches = self.alias(search_document=self.search_document())
            return matches.filter(search_document=self._search_query(query))
        matches = self
        for word in query.split():
            word = word.strip("\"'")
            if word:
                fields = (Q(**{f"{field}__icontains": word}) for field in self.search_fields)
                matches = matches.filter(reduce(or_, fields))
        return matches

    def search(self, query):
        """Every row matching `query`, best first (`rank` on PostgreSQL)."""
        return self.search_matches(query)._ranked(query)

    def _ranked(self, query):
        if connection.vendor != "postgresql":
            return self.order_by(*self.search_order)
        rank = SearchRank(self.search_document(), self._search_query(query))
        return self.annotate(rank=rank).order_by("-rank", *self.search_order)

    def search_page(self, query, *, offset, limit, read=None):
        """
        Rows `offset` to `offset + limit` of search(query), each with `total_matches`,
        in one query.

        Every match is ranked, but only its key and rank are sorted; the page's rows
        are then read whole from `read` (by default this QuerySet), with whatever it
        joins (select_related). The keys already passed this QuerySet's filters, so
        `read` need not test them again for the page's few rows.
        """
        ranked = self.search(query)
        page_keys = ranked.values("pk")[offset : offset + limit]
        # Annotated then named: values() of expressions alone would select every
        # translated column too (modeltranslation reads no names as "all fields").
        total = self.search_matches(query).order_by().annotate(n=CountAll()).values("n")
        rows = (self if read is None else read).filter(pk__in=Subquery(page_keys))
        return rows.annotate(total_matches=Subquery(total))._ranked(query)
