from taskforce.sitemaps import ContentSitemap

from .models import Article, Topic


class ArticleSitemap(ContentSitemap):
    changefreq = "weekly"
    lastmod_field = "updated"

    def items(self):
        return Article.objects.published().only("slug", "updated")

    def lastmod(self, article):
        return article.updated


class TopicSitemap(ContentSitemap):
    changefreq = "weekly"

    def items(self):
        return Topic.objects.with_live_articles()
