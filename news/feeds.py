from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from .models import Article, Topic

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    title = "Joint Task Force on smart cities: news"
    link = reverse_lazy("news:list")
    description = "News from the Joint Task Force of ITU, ISO and IEC on smart cities."

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The feed generator writes hundreds of small pieces; sent one by one they
        # stall on TCP (Nagle's algorithm). One piece goes out at once.
        response.content = response.content
        return response

    def items(self):
        return Article.objects.published().for_lists().with_topic_list()[:FEED_LENGTH]

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


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class TopicArticlesFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return f"Joint Task Force on smart cities: {topic.name}"

    def link(self, topic):
        return topic.get_absolute_url()

    def description(self, topic):
        return f"News about {topic.name} from the Joint Task Force on smart cities."

    def items(self, topic):
        return (
            Article.objects.published()
            .filter(topics=topic)
            .for_lists()
            .with_topic_list()[:FEED_LENGTH]
        )


class TopicArticlesAtomFeed(TopicArticlesFeed):
    feed_type = Atom1Feed

    def subtitle(self, topic):
        return self.description(topic)
