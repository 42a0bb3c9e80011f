import math
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .forms import SearchForm
from .kinds import KINDS, content_years

RESULTS_PER_PAGE = 20
# Everything at once: the best few of each kind, with a link to all of them.
RESULTS_PER_KIND = 3


class SearchView(TemplateView):
    """
    News, quotes, events and people matching the words searched, ranked over every match.
    Without a kind: the best few of each, and how many match; with one: all of its
    matches, a page at a time, to the last.
    """

    template_name = "search/search.html"
    page_cache_query_params = ("q", "kind", "year", "page")

    def get_context_data(self, **kwargs):
        form = SearchForm(self.request.GET, years=content_years())
        asked = form.search
        context = super().get_context_data(form=form, query=asked["q"], **kwargs)
        if asked["q"]:
            context.update(self.results(**asked))
        return context

    def results(self, *, q, kind, year, page):
        if not kind:
            return self.everything(q, year)
        chosen = KINDS[kind]
        offset = (page - 1) * RESULTS_PER_PAGE
        results, total = chosen.page(q, year=year, offset=offset, limit=RESULTS_PER_PAGE)
        if total is None:
            total = chosen.count(q, year=year)
        pages = max(1, math.ceil(total / RESULTS_PER_PAGE))
        context = {
            "kind": chosen,
            "results": results,
            "total": total,
            "page_number": page,
            "page_count": pages,
            "first_position": offset + 1,
            "tabs": self.tabs(q, year, current=kind),
        }
        if page > pages:
            context["past_the_end"] = self.url(q=q, kind=kind, year=year, page=pages)
            return context
        if page > 1:
            context["first_url"] = self.url(q=q, kind=kind, year=year)
            context["previous_url"] = self.url(q=q, kind=kind, year=year, page=page - 1)
        if page < pages:
            context["next_url"] = self.url(q=q, kind=kind, year=year, page=page + 1)
            context["last_url"] = self.url(q=q, kind=kind, year=year, page=pages)
        return context

    def everything(self, q, year):
        sections = []
        for key, kind in KINDS.items():
            if year is not None and not kind.dated:
                results, total = [], 0
            else:
                results, total = kind.page(q, year=year, offset=0, limit=RESULTS_PER_KIND)
            sections.append(
                {
                    "kind": kind,
                    "results": results,
                    "total": total or 0,
                    "all_url": self.url(q=q, kind=key, year=year),
                }
            )
        counts = {section["kind"].key: section["total"] for section in sections}
        return {
            "sections": sections,
            "total": sum(counts.values()),
            "tabs": self.tabs(q, year, counts, current=""),
        }

    def tabs(self, q, year, counts=None, *, current):
        """
        Everything, then each kind: its address, and how many match when known. Counting
        the other kinds would cost a page of one kind more than its own results.
        """
        counts = counts or {}
        tabs = [
            {"label": _("Everything"), "count": sum(counts.values()) if counts else None,
             "url": self.url(q=q, year=year), "current": not current}
        ]  # fmt: skip
        tabs += [
            {"label": kind.label, "count": counts.get(key),
             "url": self.url(q=q, kind=key, year=year), "current": key == current}
            for key, kind in KINDS.items()
        ]  # fmt: skip
        return tabs

    def url(self, *, q, kind="", year=None, page=1):
        params = {"q": q, "kind": kind, "year": year or "", "page": page if page > 1 else ""}
        return "?" + urlencode({name: value for name, value in params.items() if value})
