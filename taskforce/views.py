from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from events.models import Event
from news.models import Article
from quotes.models import attach_quote_previews

from .cache import ObjectPageMixin
from .models import Organisation
from .outages import database
from .pagination import UncountedPaginationMixin

ARTICLES_PER_ORGANISATION_PAGE = 10

_readiness_reports = []


def register_readiness_report(report):
    """report() returns lines for /readyz's body (apps add what operators alert on)."""
    _readiness_reports.append(report)


class FoundingBodiesMixin:
    """The bodies that formed the Task Force, for the page's structured data."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(founding_bodies=Organisation.objects.founding(), **kwargs)


class HomeView(FoundingBodiesMixin, TemplateView):
    template_name = "taskforce/home.html"


class AboutView(FoundingBodiesMixin, TemplateView):
    template_name = "taskforce/about.html"


class OrganisationListView(ListView):
    model = Organisation
    context_object_name = "organisations"


class OrganisationDetailView(
    ObjectPageMixin, SingleObjectMixin, UncountedPaginationMixin, ListView
):
    """
    A body: what it is, its people with their first quotes, its upcoming events, and
    the news that names it or quotes its people, a page at a time.
    """

    model = Organisation
    paginate_by = ARTICLES_PER_ORGANISATION_PAGE
    template_name = "taskforce/organisation_detail.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object(queryset=Organisation.objects.all())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Article.objects.published().about(self.object).for_lists()

    def get_context_data(self, **kwargs):
        people = list(self.object.people.with_quote_previews())
        attach_quote_previews(people)
        events = Event.objects.public().upcoming().filter(organisers=self.object)
        return super().get_context_data(
            organisation=self.object,
            people=people,
            events=events.with_confirmed_count(),
            **kwargs,
        )


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"


@never_cache
def healthz(request):
    """The process is up and serving; touches nothing else."""
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def readyz(request):
    """
    The database answers; 503 tells the load balancer to wait. The body adds what apps
    report (the outbox: how many emails wait, the oldest for how long), for monitors.
    The log has one line when the database goes away and one when it is back.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        lines = [line for report in _readiness_reports for line in report()]
    except DatabaseError as error:
        database.unreachable(error)
        return HttpResponse("database unreachable\n", content_type="text/plain", status=503)
    database.reachable()
    return HttpResponse("".join(f"{line}\n" for line in ["ok", *lines]), content_type="text/plain")


RATE_PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def rate_period_seconds(rate):
    """The window of a django-ratelimit rate ("10/m", "100/5m"): after it, a new one has begun."""
    _, period = rate.split("/")
    multiplier, unit = period[:-1] or "1", period[-1]
    return int(multiplier) * RATE_PERIODS[unit]


def rate_limited(request, exception):
    """Registration is the one rate-limited form; its window says when to try again."""
    retry_after = rate_period_seconds(settings.REGISTRATION_RATE_LIMIT)
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(retry_after)
    return response


MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}


def media(request, path):
    """
    An uploaded image or rendition from MEDIA_ROOT, when this host keeps media itself
    (one host; several keep them in S3). Names never change content, so browsers keep
    each file for a year; only image files are ever served.
    """
    try:
        full_path = Path(safe_join(settings.MEDIA_ROOT, path))
    except SuspiciousFileOperation:
        raise Http404 from None
    if full_path.suffix.lower() not in MEDIA_TYPES or not full_path.is_file():
        raise Http404
    content_type = MEDIA_TYPES[full_path.suffix.lower()]
    response = FileResponse(full_path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Last-Modified"] = http_date(full_path.stat().st_mtime)
    return response
