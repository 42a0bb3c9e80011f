from django.views.generic import DetailView, ListView, TemplateView

from news.models import Article

from .models import Person, Quote

PEOPLE_PER_PAGE = 20
SEARCH_RESULTS = 20
MAX_QUERY_LENGTH = 200


class QuoteListView(ListView):
    """Quotes grouped by the person who said them."""

    paginate_by = PEOPLE_PER_PAGE
    template_name = "quotes/quote_list.html"
    context_object_name = "people"

    def get_queryset(self):
        return Person.objects.with_public_quotes()


class PersonDetailView(DetailView):
    def get_queryset(self):
        return Person.objects.with_public_quotes()


class SearchView(TemplateView):
    template_name = "quotes/search.html"

    def get_context_data(self, **kwargs):
        raw = self.request.GET.get("q", "")
        words = "".join(char if char.isprintable() else " " for char in raw)
        query = " ".join(words.split())
        context = super().get_context_data(query=query, **kwargs)
        if len(query) > MAX_QUERY_LENGTH:
            context["error"] = (
                f"That search is too long. Please use at most {MAX_QUERY_LENGTH} characters."
            )
        elif query:
            context["articles"] = Article.objects.published().search(query)[:SEARCH_RESULTS]
            context["quotes"] = (
                Quote.objects.public()
                .search(query)
                .select_related("person__organisation", "article")[:SEARCH_RESULTS]
            )
        return context
