from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from taskforce.cache import ObjectPageMixin
from taskforce.pagination import UncountedPaginationMixin

from .models import Article, Topic

ARTICLES_PER_PAGE = 10


class ArticleListView(UncountedPaginationMixin, ListView):
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_lists()


class TopicArticleListView(UncountedPaginationMixin, ListView):
    paginate_by = ARTICLES_PER_PAGE
    template_name = "news/topic_detail.html"

    def get_queryset(self):
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return Article.objects.published().filter(topics=self.topic).for_lists()

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)


class ArticleDetailView(ObjectPageMixin, DetailView):
    def get_queryset(self):
        """Staff preview drafts and scheduled articles; everyone else sees only what is live."""
        articles = Article.objects.all()
        if not self.request.user.is_staff:
            articles = articles.published()
        return articles.prefetch_related("topics", "organisations")
