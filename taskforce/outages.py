"""
When the database cannot answer in time, the visitor gets the site's own 503 page
with Retry-After, never a 500, and the log gets one line per change of state
rather than a traceback per request.

Two cases, both PostgreSQL errors Django raises as OperationalError:

- busy: a lock was not granted within DATABASE_LOCK_TIMEOUT, or a statement ran
  past DATABASE_STATEMENT_TIMEOUT (SQLite: "database is locked"). The
  transaction was rolled back, so nothing was stored; try again in a moment.
- unreachable: no connection could be made or it broke. The process logs once
  when the database goes away and once when a connection opens again.
"""

import logging
import sys
import threading
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import TemplateDoesNotExist, loader
from django.views import defaults

logger = logging.getLogger(__name__)

BUSY_SQLSTATES = {"55P03", "57014"}  # lock_not_available, query_canceled
BUSY_RETRY_SECONDS = 5
UNREACHABLE_RETRY_SECONDS = 15


class DatabaseState:
    """Whether this process last found the database reachable; logs each change once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.unreachable_since = None

    def unreachable(self, error):
        with self.lock:
            if self.unreachable_since is not None:
                return
            self.unreachable_since = time.monotonic()
        logger.error("Database unreachable, answering 503 until it is back: %s", _first_line(error))

    def reachable(self):
        if self.unreachable_since is None:
            return
        with self.lock:
            since, self.unreachable_since = self.unreachable_since, None
        if since is not None:
            logger.warning("Database reachable again after %.0f s", time.monotonic() - since)


database = DatabaseState()


def _first_line(error):
    return str(error).strip().splitlines()[0] if str(error).strip() else repr(error)


def connection_opened(sender, connection, **kwargs):
    """connection_created: a new connection proves the database is back."""
    database.reachable()


def is_database_error(error):
    return isinstance(error, (OperationalError, InterfaceError))


def is_busy(error):
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    return "database is locked" in str(error)


def unavailable(request, error):
    """The 503 page for a database error: busy (nothing stored, try again) or unreachable."""
    busy = is_busy(error)
    if busy:
        logger.warning("Busy, answered 503 to %s %s: %s", request.method, request.path, error)
    else:
        database.unreachable(error)
    # messages: reading them may need the session, in the database that failed.
    response = render(request, "503.html", {"busy": busy, "messages": ()}, status=503)
    response["Retry-After"] = str(BUSY_RETRY_SECONDS if busy else UNREACHABLE_RETRY_SECONDS)
    response._has_been_logged = True  # Logged above, once, without a traceback.
    return response


class DatabaseUnavailableMiddleware:
    """A view that fails on the database answers 503 (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_error(exception):
            return unavailable(request, exception)
        return None


def server_error(request, template_name="500.html"):
    """
    handler500: a database error raised outside a view (in middleware) is a 503 too.

    As Django's own, the page runs no context processors (what failed may be one of them),
    but it knows the request: its language switcher leads to the same address in the
    other language.
    """
    error = sys.exc_info()[1]
    if error is not None and is_database_error(error):
        return unavailable(request, error)
    try:
        template = loader.get_template(template_name)
    except TemplateDoesNotExist:
        return defaults.server_error(request, template_name)
    return HttpResponseServerError(template.render({"request": request}))
