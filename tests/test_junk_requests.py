"""Whatever a client sends, it gets a 4xx it can read, never a 5xx; nothing is stored."""

import pytest
from django.contrib.auth.models import User

from events.models import Registration
from tests.events_helpers import make_event
from tests.wsgi_helpers import wsgi_app

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = ["content-security-policy", "x-content-type-options", "x-frame-options"]


@pytest.mark.parametrize("charset", ["zlib", "bz2", "base64", "rot13", "uu", "hex"])
def test_a_charset_that_is_no_text_encoding_gets_a_400_with_the_security_headers(charset):
    event = make_event()
    with wsgi_app() as call:
        listing = call(
            "GET", "/en/news/", query="page=1", content_type=f"text/plain; charset={charset}"
        )
        posted = call(
            "POST",
            f"/en/events/{event.slug}/register/",
            query="x=1",
            body=b"name=Ada&email=ada%40example.org&consent=on",
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
        )
    for response in (listing, posted):
        assert response.status_code == 400
        assert "is not a text encoding" in response.body.decode()
        assert all(name in response for name in SECURITY_HEADERS)
    assert not Registration.objects.exists()


def test_an_unknown_charset_is_read_as_utf8_as_django_does():
    with wsgi_app() as call:
        response = call("GET", "/en/news/", query="page=1", content_type="text/plain; charset=nope")
    assert response.status_code == 200


def test_head_answers_with_the_headers_of_get_and_no_body(settings):
    settings.PAGE_CACHE_SECONDS = 60
    with wsgi_app() as call:
        page = call("GET", "/en/about/")
        head = call("HEAD", "/en/about/")
    assert head.status_code == 200
    assert head.body == b""
    assert page.body
    assert head["content-length"] == page["content-length"] == str(len(page.body))


def test_an_admin_sign_in_with_a_very_long_user_name_is_refused_not_a_crash(client):
    for length in (255, 256, 300, 5000):
        response = client.post(
            "/admin/login/?next=/admin/", {"username": "x" * length, "password": "wrong"}
        )
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()


def test_a_form_without_its_csrf_token_gets_the_sites_own_page(client):
    client = client.__class__(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Form expired or sent from elsewhere" in page
    assert 'class="brand"' in page  # the site's layout, not Django's bare page


def test_behind_a_proxy_sign_in_failures_count_per_real_client(client, settings):
    """The lock-out and the rate limit read the address from the header the proxy sets."""
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    User.objects.create_superuser("admin", "admin@example.org", "right-password-42")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/",
            {"username": "admin", "password": "wrong"},
            headers={"x-real-ip": "203.0.113.7"},
        )
    locked = client.post(
        "/admin/login/",
        {"username": "admin", "password": "right-password-42"},
        headers={"x-real-ip": "203.0.113.7"},
    )
    assert locked.status_code == 429
    real_admin = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": "right-password-42"},
        headers={"x-real-ip": "198.51.100.2"},
    )
    assert real_admin.status_code == 302
    assert real_admin["Location"] == "/admin/"


def test_the_rate_limit_counts_per_real_client_and_ignores_a_forged_header(client, settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    settings.REGISTRATION_RATE_LIMIT = "2/m"
    event = make_event()
    url = f"/en/events/{event.slug}/register/"

    def post(n, forwarded):
        data = {"name": "Ada", "email": f"ada{n}@example.org", "consent": "on"}
        return client.post(url, data, headers={"x-forwarded-for": forwarded}).status_code

    # The proxy appends the address it saw; whatever the client put before it is not trusted.
    assert [post(n, f"10.9.9.{n}, 203.0.113.7") for n in range(3)] == [302, 302, 429]
    assert post(4, "203.0.113.8") == 302
    assert post(5, "not an address") == 302  # falls back to REMOTE_ADDR, never a 500
