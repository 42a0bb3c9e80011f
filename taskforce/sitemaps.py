from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class PageSitemap(Sitemap):
    """The site's fixed pages; each app adds a sitemap for its own content."""

    changefreq = "monthly"

    def items(self):
        return ["home", "about"]

    def location(self, item):
        return reverse(item)
