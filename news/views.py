from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from taskforce.cache import ObjectPageMixin
from taskforce.pagination import UncountedPaginationMixin

from .models import Article, EmbargoLink, Topic

ARTICLES_PER_PAGE = 10


class ArticleListView(UncountedPaginationMixin, ListView):
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_lists()


class TopicListView(ListView):
    """Every topic with news the public can read; a page of names, never long."""

    def get_queryset(self):
        return Topic.objects.with_live_articles()


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


def _embargo_closed(request, reason, status):
    """A link that no longer shows anything: it says why, and nothing about the article."""
    response = render(request, "news/embargo_closed.html", {"reason": reason}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def embargo(request, token):
    """
    An unpublished article for the one person its link was made for, until the link
    expires or is revoked; once the article is public, its public page. Never cached:
    never_cache marks the answer private, which the page cache leaves alone.
    """
    link = EmbargoLink.objects.select_related("article").filter(token=token).first()
    if link is None:
        return _embargo_closed(request, "unknown", status=404)
    state = link.state()
    if state == "revoked":
        return _embargo_closed(request, "revoked", status=410)
    if state == "published":
        return redirect(link.article)
    if state == "expired":
        return _embargo_closed(request, "expired", status=410)
    link.record_opening()
    article = Article.objects.prefetch_related("topics", "organisations").get(pk=link.article_id)
    context = {"article": article, "embargo": link, "canonical_path": article.get_absolute_url()}
    response = render(request, "news/article_embargo.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The address is the secret: never sent on to another site in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    return response
