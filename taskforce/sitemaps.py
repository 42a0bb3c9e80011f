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
    The rows of a sitemap as (row, language) pairs, language by language, each row once
    for each language it is written in: a page of the sitemap reads only its own slice of
    rows (Django's i18n sitemap would load them all).
    """

    def __init__(self, sections):
        self.sections = sections  # (language, rows, how many)

    def __len__(self):
        return sum(count for _, _, count in self.sections)

    def __getitem__(self, index):
        start, stop = index.start or 0, index.stop
        pairs = []
        for language, rows, count in self.sections:
            if start < count and stop > 0:
                pairs += [(row, language) for row in rows[max(start, 0) : min(stop, count)]]
            start, stop = start - count, stop - count
        return pairs


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

    def rows_in(self, language):
        rows = self.items()
        return rows.translated(language) if hasattr(rows, "translated") else rows

    @cached_property
    def _totals(self):
        rows = self.items()
        totals = {
            code: Count("pk", filter=rows.written_in(code) if hasattr(rows, "written_in") else None)
            for code in self._languages()
        }
        if self.lastmod_field:
            totals["latest"] = Max(self.lastmod_field)
        return rows.order_by().aggregate(**totals)

    def _items(self):
        return PerLanguage(
            [(code, self.rows_in(code), self._totals[code]) for code in self._languages()]
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
