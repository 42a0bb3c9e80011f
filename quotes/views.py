from django.views.generic import ListView
from django.views.generic.detail import SingleObjectMixin

from taskforce.cache import ObjectPageMixin
from taskforce.pagination import UncountedPaginationMixin

from .models import Person, attach_quote_previews

PEOPLE_PER_PAGE = 10
QUOTES_PER_PAGE = 20


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
