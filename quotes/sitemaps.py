from taskforce.sitemaps import ContentSitemap

from .models import Person


class PersonSitemap(ContentSitemap):
    changefreq = "monthly"

    def items(self):
        return Person.objects.with_public_quotes()
