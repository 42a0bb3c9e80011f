"""
The kinds of content search covers, and how each is read: what the public may see of
it, narrowed to a year, one page of its ranked matches at a time.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max, Min, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from news.models import Article
from quotes.models import Person, Quote


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # a heading: "News"
    item: str  # what one result is: "News", "Quote"
    public: Callable[[], QuerySet]  # every row the public may find, read as results show it
    dated: bool = True  # has a year to narrow by
    # The QuerySet a page's rows are read from when `public` tests every match in a way
    # that costs more on a few rows than it saves on thousands (quotes).
    shown: Callable[[], QuerySet] | None = None

    @property
    def template(self):
        return f"search/includes/{self.key}.html"

    def rows(self, *, year=None):
        rows = self.public()
        if year is not None:
            rows = rows.in_year(year) if self.dated else rows.none()
        return rows

    def page(self, query, *, year=None, offset, limit):
        """One page of matches, best first, and how many match in all (None past the end)."""
        read = self.shown() if self.shown else None
        matches = self.rows(year=year)
        results = list(matches.search_page(query, offset=offset, limit=limit, read=read))
        return results, results[0].total_matches if results else None

    def count(self, query, *, year=None):
        return self.rows(year=year).search_matches(query).count()


KINDS = {
    kind.key: kind
    for kind in (
        Kind("news", _("News"), _("News"), lambda: Article.objects.published().for_lists()),
        Kind(
            "quotes",
            _("Quotes"),
            _("Quote"),
            Quote.objects.public_in_bulk,
            shown=lambda: Quote.objects.with_article_links().select_related("person__organisation"),
        ),
        Kind("events", _("Events"), _("Event"), lambda: Event.objects.public()),
        Kind(
            "people",
            _("People"),
            _("Person"),
            lambda: Person.objects.with_public_quotes().select_related("organisation"),
            dated=False,
        ),
    )
}


def content_years():
    """
    The years the year filter offers, newest first: from the first published article
    or event to this year (or the year of the last event announced), in one query.
    """
    first_article = Article.objects.published().order_by("publish_at").values("publish_at")[:1]
    bounds = Event.objects.public().aggregate(
        first=Least(Coalesce(Min("start"), Subquery(first_article)),
                    Coalesce(Subquery(first_article), Min("start"))),
        last=Max("start"),
    )  # fmt: skip
    this_year = timezone.localdate().year
    first = timezone.localtime(bounds["first"]).year if bounds["first"] else this_year
    last = max(this_year, timezone.localtime(bounds["last"]).year if bounds["last"] else this_year)
    return list(range(last, first - 1, -1))
