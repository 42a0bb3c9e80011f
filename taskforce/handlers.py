"""
The site's WSGI handler: Django's, made safe against two things clients send.

- A Content-Type whose charset names a codec that is not a text encoding
  (`charset=zlib`, `base64`, `rot13`, ...). Django accepts any codec there and
  then fails to decode the query string or form with it, inside the request's
  construction, before any middleware: a bare 500. Here such a request is
  marked malformed and answered 400 by `MalformedRequestMiddleware`, through
  the middleware that adds the security headers.
- HEAD: Django returns GET's body and leaves it to the server to drop; gunicorn
  logs a warning for every one. The handler drops it itself, keeping the headers
  (Content-Length included) that the same GET would carry.
"""

import codecs

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.shortcuts import render
from django.utils.http import parse_header_parameters


def is_text_encoding(charset):
    """
    Django can read a form in it: bytes.decode() accepts it with errors="replace"
    (codecs that turn bytes into bytes raise LookupError; idna and punycode, text
    encodings of a kind, refuse "replace" or raise UnicodeError on bad input).
    """
    try:
        b"a%\xff\x00\r\n".decode(charset, "replace")
    except (LookupError, UnicodeError, ValueError):
        return False
    return True


class SiteWSGIRequest(WSGIRequest):
    malformed = ""

    def _set_content_type_params(self, meta):
        self.content_type, self.content_params = parse_header_parameters(
            meta.get("CONTENT_TYPE", "")
        )
        charset = self.content_params.get("charset")
        if charset is None:
            return
        try:
            codecs.lookup(charset)
        except (LookupError, ValueError):
            return  # Unknown (or unnameable): ignored, as Django does, and read as UTF-8.
        if is_text_encoding(charset):
            self.encoding = charset
        else:
            self.malformed = f"the charset “{charset}” is not a text encoding."


class SiteWSGIHandler(WSGIHandler):
    request_class = SiteWSGIRequest

    def __call__(self, environ, start_response):
        response = super().__call__(environ, start_response)
        if environ.get("REQUEST_METHOD", "").upper() != "HEAD":
            return response
        response.close()
        return []


class MalformedRequestMiddleware:
    """Answer 400 to a request the handler found malformed; below the security headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = getattr(request, "malformed", "")
        if reason:
            return render(request, "400.html", {"reason": reason, "messages": ()}, status=400)
        return self.get_response(request)
