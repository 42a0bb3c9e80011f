from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max
from django.urls import reverse
from django.utils.functional import cached_property

from .languages import Translated
from .models import Organisation

SITEMAP_PAGE_SIZE = 1000


class LanguagesSitemap(Sitemap):
    """Every page once per language (/en/..., /fr/...), each naming the others (hreflang)."""

    i18n = True
    alternates = True
    x_default = True


class PageSitemap(LanguagesSitemap):
    """The site's fixed pages; each app adds a sitemap for its own content."""

    changefreq = "monthly"

    def items(self):
        return ["home", "about", "organisations", "news:topics"]

    def location(self, item):
        return reverse(item)


class PerLanguage:
    """
    The rows of a queryset as (row, language) pairs, a slot for each row in each language,
    a slot filled when the row is written in that language: a page of the sitemap reads
    only its own slice of rows, in one query (Django's i18n sitemap would load them all).
    """

    def __init__(self, rows, count, languages, languages_of):
        self.rows, self.count, self.languages = rows, count, languages
        self.languages_of = languages_of

    def __len__(self):
        return self.count * len(self.languages)

    def __getitem__(self, index):
        size = len(self.languages)
        first = index.start // size
        rows = self.rows[first : -(-index.stop // size)]
        return [
            (row, language)
            for number, row in enumerate(rows, start=first)
            for position, language in enumerate(self.languages)
            if index.start <= number * size + position < index.stop
            and language in self.languages_of(row)
        ]


class ContentSitemap(LanguagesSitemap):
    """
    A section of the sitemap index listing database rows, SITEMAP_PAGE_SIZE at a time
    (each row once per language it is written in).

    The index asks every section how many pages it has and when it last changed; one
    aggregate query answers both (Django's default would load every row to find the
    latest change). Set lastmod_field to the field that lastmod() reads.
    """

    limit = SITEMAP_PAGE_SIZE
    lastmod_field = None

    @cached_property
    def _totals(self):
        totals = {"count": Count("pk")}
        if self.lastmod_field:
            totals["latest"] = Max(self.lastmod_field)
        return self.items().order_by().aggregate(**totals)

    def _items(self):
        return PerLanguage(
            self.items(),
            self._totals["count"],
            list(self._languages()),
            self.get_languages_for_item,
        )

    def get_latest_lastmod(self):
        return self._totals.get("latest")

    def in_its_languages(self, queryset):
        """
        What exists in the active language, for a sitemap of one language; a sitemap of
        every language (i18n) lists each item in the languages it is written in.
        """
        return queryset if self.i18n else queryset.translated()

    def get_languages_for_item(self, item):
        languages = super().get_languages_for_item(item)
        if isinstance(item, Translated):
            return [code for code in languages if item.has_translation(code)]
        return languages


class OrganisationSitemap(ContentSitemap):
    changefreq = "monthly"

    def items(self):
        return self.in_its_languages(Organisation.objects.all())
