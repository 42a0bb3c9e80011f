from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from .models import Article, Topic
from .sanitize import sanitize_html

FEED_LENGTH = 20


class FullTextRssFeed(Rss201rev2Feed):
    """RSS 2.0 with each article's whole text in content:encoded; the description is its summary."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class FullTextAtomFeed(Atom1Feed):
    """
    Atom with each article's whole text, and its authors: every entry names at least
    one (RFC 4287), the organisations the article names or else the site.
    """

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, uri in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if uri:
                handler.addQuickElement("uri", uri)
            handler.endElement("author")
        handler.addQuickElement("content", item["content"], {"type": "html"})


class LatestArticlesFeed(Feed):
    feed_type = FullTextRssFeed
    title = _("Joint Task Force on smart cities: news")
    link = reverse_lazy("news:list")
    description = _("News from the Joint Task Force of ITU, ISO and IEC on smart cities.")

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The feed generator writes hundreds of small pieces; sent one by one they
        # stall on TCP (Nagle's algorithm). One piece goes out at once.
        response.content = response.content
        return response

    def items(self):
        return self.with_authors(Article.objects.published().translated())

    @staticmethod
    def with_authors(articles):
        """The articles a feed lists, whole, with their topics and organisations."""
        organisations = Prefetch("organisations", to_attr="organisation_list")
        return articles.with_topic_list().prefetch_related(organisations)[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated

    def item_categories(self, item):
        return [topic.name for topic in item.topic_list]

    def item_extra_kwargs(self, item):
        """The whole text, cleaned by the allow-list the page's text went through."""
        return {"content": sanitize_html(item.body), "authors": self.authors(item)}

    def authors(self, item):
        authors = [(org.name, org.website) for org in item.organisation_list]
        return authors or [(settings.SITE_NAME, "")]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = FullTextAtomFeed
    subtitle = LatestArticlesFeed.description


class TopicArticlesFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return _("Joint Task Force on smart cities: %(topic)s") % {"topic": topic.name}

    def link(self, topic):
        return topic.get_absolute_url()

    def description(self, topic):
        return _("News about %(topic)s from the Joint Task Force on smart cities.") % {
            "topic": topic.name
        }

    def items(self, topic):
        return self.with_authors(Article.objects.published().filter(topics=topic))


class TopicArticlesAtomFeed(TopicArticlesFeed):
    feed_type = FullTextAtomFeed

    def subtitle(self, topic):
        return self.description(topic)
