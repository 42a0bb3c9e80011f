from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from news.models import Article, planned_for_the_words_searched
from taskforce.cache import ObjectPageMixin
from taskforce.pagination import UncountedPaginationMixin

from .models import Person, Quote, attach_quote_previews

PEOPLE_PER_PAGE = 10
QUOTES_PER_PAGE = 20
SEARCH_RESULTS = 20
MAX_QUERY_LENGTH = 200


class QuoteListView(UncountedPaginationMixin, ListView):
    """Quotes grouped by the person who said them: a few each, with a link to the rest."""

    paginate_by = PEOPLE_PER_PAGE
    template_name = "quotes/quote_list.html"
    context_object_name = "people"

    def get_queryset(self):
        return Person.objects.with_quote_previews()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attach_quote_previews(context["people"])
        return context


class PersonDetailView(ObjectPageMixin, SingleObjectMixin, ListView):
    """A person and their public quotes, a page at a time."""

    paginate_by = QUOTES_PER_PAGE
    template_name = "quotes/person_detail.html"
    page_cache_query_params = ("page",)

    def get(self, request, *args, **kwargs):
        people = Person.objects.with_public_quotes().select_related("organisation")
        self.object = self.get_object(queryset=people)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.object.quotes.public().for_person_page().with_article_links()


class SearchView(TemplateView):
    template_name = "quotes/search.html"
    page_cache_query_params = ("q",)

    def get_context_data(self, **kwargs):
        raw = self.request.GET.get("q", "")
        words = "".join(char if char.isprintable() else " " for char in raw)
        query = " ".join(words.split())
        context = super().get_context_data(query=query, **kwargs)
        if len(query) > MAX_QUERY_LENGTH:
            context["error"] = _(
                "That search is too long. Please use at most %(count)d characters."
            ) % {"count": MAX_QUERY_LENGTH}
        elif query:
            articles = Article.objects.published().search(query).for_lists()
            quotes = (
                Quote.objects.public()
                .search(query)
                .with_article_links()
                .select_related("person__organisation")
            )
            with planned_for_the_words_searched():
                context["articles"] = list(articles[:SEARCH_RESULTS])
                context["quotes"] = list(quotes[:SEARCH_RESULTS])
        return context
