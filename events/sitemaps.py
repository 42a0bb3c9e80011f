from taskforce.sitemaps import ContentSitemap

from .models import Event


class EventSitemap(ContentSitemap):
    changefreq = "weekly"
    lastmod_field = "updated"

    def items(self):
        return self.in_its_languages(Event.objects.published())

    def lastmod(self, event):
        return event.updated
