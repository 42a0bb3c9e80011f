from taskforce.languages import columns_in_each_language
from taskforce.sitemaps import ContentSitemap

from .models import Article, Topic


class ArticleSitemap(ContentSitemap):
    changefreq = "weekly"
    lastmod_field = "updated"

    def items(self):
        return self.in_its_languages(
            Article.objects.published().only("slug", "updated", *columns_in_each_language("title"))
        )

    def lastmod(self, article):
        return article.updated


class TopicSitemap(ContentSitemap):
    changefreq = "weekly"

    def items(self):
        return self.in_its_languages(Topic.objects.with_live_articles())
