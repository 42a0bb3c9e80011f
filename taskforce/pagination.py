"""
Pagination that never counts the rows: a page fetches one row more than it shows
to learn whether an older page follows. Counting a large archive on every visit
costs more than showing the page; "Newer / Page N / Older" needs no total.
"""

from collections.abc import Sequence

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404
from django.views.generic.list import MultipleObjectMixin

# Far beyond any real archive; keeps OFFSET within what a database accepts.
MAX_PAGE_NUMBER = 100_000


class Page(Sequence):
    def __init__(self, rows, number, per_page):
        self.object_list = rows[:per_page]
        self.number = number
        self._has_next = len(rows) > per_page

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def __repr__(self):
        return f"<Page {self.number}>"

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        if not self.has_next():
            raise EmptyPage("This is the last page.")
        return self.number + 1

    def previous_page_number(self):
        if not self.has_previous():
            raise EmptyPage("This is the first page.")
        return self.number - 1


class UncountedPaginator:
    def __init__(self, object_list, per_page):
        self.object_list = object_list
        self.per_page = per_page

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not a whole number.") from error
        if not 1 <= number <= MAX_PAGE_NUMBER:
            raise EmptyPage("There is no such page.")
        return number

    def page(self, number):
        """Page `number` (from 1); EmptyPage past the end, except an empty first page."""
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("There is no such page.")
        return Page(rows, number, self.per_page)


class UncountedPaginationMixin(MultipleObjectMixin):
    """For a ListView: pages of `paginate_by` items without counting them; 404 for no such page."""

    page_cache_query_params = ("page",)

    def paginate_queryset(self, queryset, page_size):
        paginator = UncountedPaginator(queryset, page_size)
        number = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg) or 1
        try:
            page = paginator.page(number)
        except (EmptyPage, PageNotAnInteger) as error:
            raise Http404(str(error)) from error
        return paginator, page, page.object_list, page.has_other_pages()
