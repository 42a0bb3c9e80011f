"""Requests through the site's real WSGI handler, as gunicorn sends them (not the test client)."""

import io
from contextlib import contextmanager

from django.core import signals
from django.db import close_old_connections

from taskforce.handlers import SiteWSGIHandler


class WSGIResponse:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split()[0])
        self.headers = {name.lower(): value for name, value in headers}
        self.body = body

    def __getitem__(self, name):
        return self.headers[name.lower()]

    def __contains__(self, name):
        return name.lower() in self.headers


@contextmanager
def wsgi_app():
    """The site's WSGI application; within a test's transaction, as the test client keeps it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield call_wsgi(SiteWSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def call_wsgi(application):
    def call(
        method, path, *, query="", body=b"", content_type=None, headers=None, remote="127.0.0.1"
    ):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": remote,
            "HTTP_HOST": "testserver",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        if content_type is not None:
            environ["CONTENT_TYPE"] = content_type
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        started = {}

        def start_response(status, response_headers, exc_info=None):
            started["status"], started["headers"] = status, response_headers

        chunks = application(environ, start_response)
        try:
            body_out = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return WSGIResponse(started["status"], started["headers"], body_out)

    return call
