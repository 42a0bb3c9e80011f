"""
Generated requests of every shape (fields, encodings, charsets, bodies, headers) to the
registration, search, list and admin sign-in endpoints, through the real WSGI handler:
no answer is a 5xx, and no row comes from input that is not a valid registration.
"""

import os
import urllib.parse

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import OutgoingEmail, Registration
from tests.events_helpers import make_event
from tests.wsgi_helpers import wsgi_app

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 700))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CHARSETS = [
    "utf-8", "latin-1", "utf-16", "utf-32", "ascii", "cp1252", "shift_jis", "zlib", "bz2",
    "base64", "rot13", "uu", "hex", "quopri", "idna", "punycode", "nope", "", "utf-8\x00",
]  # fmt: skip
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/json",
    "text/plain",
    "application/octet-stream",
    "",
]
FIELDS = ["name", "email", "organisation", "consent", "website", "csrfmiddlewaretoken", "q"]

junk_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
long_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=250, max_size=400)
field_values = st.one_of(
    junk_text, long_text, st.sampled_from(["on", "", "ada@example.org", "x" * 5000])
)
form_fields = st.lists(
    st.tuples(st.one_of(st.sampled_from(FIELDS), junk_text), field_values), max_size=8
)
charsets = st.one_of(st.sampled_from(CHARSETS), st.text(max_size=12))
query_strings = st.one_of(
    st.binary(max_size=120).map(lambda raw: urllib.parse.quote_from_bytes(raw, safe="=&%+")),
    form_fields.map(lambda pairs: urllib.parse.urlencode(pairs, errors="replace")),
    st.sampled_from(["page=2", "page=-1", "page=abc", "page=99999999999999", "q=%ff%fe", "%"]),
)


def encode(pairs, charset):
    try:
        return urllib.parse.urlencode(pairs, encoding=charset or "utf-8").encode("ascii")
    except (LookupError, UnicodeError, TypeError, ValueError):
        return urllib.parse.urlencode(pairs).encode("ascii")


def multipart(pairs, boundary, charset, broken):
    lines = []
    for name, value in pairs:
        lines.append(f"--{boundary}")
        header = f'Content-Disposition: form-data; name="{name}"'
        if broken:
            header += '; filename="x.txt"\r\nContent-Transfer-Encoding: base64'
        lines += [header, f"Content-Type: text/plain; charset={charset}", "", value]
    lines.append(f"--{boundary}" + ("" if broken else "--"))
    return "\r\n".join(lines).encode("utf-8", "replace")


@st.composite
def bodies(draw):
    """(Content-Type header, body): every shape a client might send, right or wrong."""
    pairs = draw(form_fields)
    charset = draw(charsets)
    kind = draw(st.sampled_from(CONTENT_TYPES))
    shape = draw(st.sampled_from(["form", "multipart", "raw", "truncated"]))
    if shape == "multipart" or (kind == "multipart/form-data" and shape != "raw"):
        boundary = draw(st.sampled_from(["b0und", "", "x" * 80, "a b", "--"]))
        body = multipart(pairs, boundary, draw(charsets), broken=draw(st.booleans()))
        content_type = f"multipart/form-data; boundary={boundary}; charset={charset}"
    elif shape == "raw":
        body = draw(st.binary(max_size=400))
        content_type = f"{kind}; charset={charset}" if draw(st.booleans()) else kind
    else:
        body = encode(pairs, charset)
        content_type = f"{kind}; charset={charset}"
    if shape == "truncated":
        body = body[: draw(st.integers(0, len(body)))]
    return content_type, body


headers = st.dictionaries(
    st.sampled_from(["origin", "sec-fetch-site", "x-forwarded-for", "cookie", "accept-language"]),
    st.one_of(
        st.sampled_from(["http://testserver", "same-origin", "cross-site", "none", "a=b; c"]),
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
    ),
    max_size=3,
)


def stored_registrations_are_valid():
    for registration in Registration.objects.all():
        assert registration.consent
        assert registration.name.strip()
        validate_email(registration.email)
        assert "<" not in registration.name + registration.organisation


@pytest.fixture
def call():
    """The site's WSGI application, made once for all the examples of a test."""
    with wsgi_app() as call:
        yield call


@pytest.fixture
def event(settings):
    settings.REGISTRATION_RATE_LIMIT = "1000000/s"
    return make_event(capacity=50)


@FUZZ
@given(body=bodies(), query=query_strings, extra=headers)
def test_generated_registrations_never_fail_and_store_only_valid_ones(
    call, event, body, query, extra
):
    content_type, data = body
    response = call(
        "POST",
        f"/en/events/{event.slug}/register/",
        query=query,
        body=data,
        content_type=content_type,
        headers={"origin": "http://testserver", **extra},
    )
    assert response.status_code < 500, response.body[:500]
    stored_registrations_are_valid()
    assert OutgoingEmail.objects.count() == Registration.objects.count()


@FUZZ
@given(
    path=st.sampled_from(
        ["/en/search/", "/en/news/", "/en/events/", "/en/events/past/", "/en/quotes/", "/en/"]
    ),
    query=query_strings,
    extra=headers,
    content_type=st.one_of(
        st.none(), charsets.map(lambda charset: f"text/plain; charset={charset}")
    ),
    method=st.sampled_from(["GET", "HEAD"]),
)
def test_generated_searches_and_list_pages_never_fail(
    call, path, query, extra, content_type, method
):
    response = call(method, path, query=query, content_type=content_type, headers=extra)
    assert response.status_code < 500, response.body[:500]
    assert not Registration.objects.exists()


@FUZZ
@given(body=bodies(), query=query_strings, extra=headers)
def test_generated_admin_sign_ins_never_fail_or_sign_in(body, query, extra, settings):
    settings.AXES_FAILURE_LIMIT = 1_000_000
    content_type, data = body
    with wsgi_app() as call:
        response = call(
            "POST",
            "/admin/login/",
            query=query,
            body=data,
            content_type=content_type,
            headers=extra,
        )
    assert response.status_code < 500, response.body[:500]
    assert "sessionid" not in response.headers.get("set-cookie", "")


def test_the_fuzz_would_see_a_server_error(call, monkeypatch):
    """The check above is not blind: a view that fails is reported as a 5xx."""

    def fail(*args, **kwargs):
        raise ValidationError("boom") from None

    monkeypatch.setattr("search.views.SearchView.get_context_data", fail)
    response = call("GET", "/en/search/", query="q=x")
    assert response.status_code == 500
