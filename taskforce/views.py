from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from .outages import database

_readiness_reports = []


def register_readiness_report(report):
    """report() returns lines for /readyz's body (apps add what operators alert on)."""
    _readiness_reports.append(report)


class HomeView(TemplateView):
    template_name = "taskforce/home.html"


class AboutView(TemplateView):
    template_name = "taskforce/about.html"


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


def rate_limited(request, exception):
    return render(request, "429.html", status=429)
