from django.contrib.sitemaps import Sitemap

from .models import Person


class PersonSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Person.objects.with_public_quotes()
