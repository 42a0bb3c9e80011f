from django.contrib.sitemaps import Sitemap

from .models import Event


class EventSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Event.objects.published()

    def lastmod(self, event):
        return event.updated
