"""The site-wide pages: home, about, robots, errors, security headers, admin lock-out."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model

from tests.sitemap_helpers import read_sitemap, sitemap_pages

pytestmark = pytest.mark.django_db


def test_home_page_says_what_the_task_force_is(client):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>The Joint Task Force on smart cities</h1>" in html
    assert "ITU, ISO and IEC" in html


def test_base_layout_has_landmarks_skip_link_and_footer(client):
    html = client.get("/en/about/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav aria-label="Main">' in html
    assert '<footer class="site-footer">' in html
    for body in ("(ITU)", "(ISO)", "(IEC)"):
        assert body in html
    assert '<meta property="og:title" content="About the Joint Task Force">' in html
    assert '<link rel="canonical" href="http://testserver/en/about/">' in html


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_sitemap_lists_the_fixed_pages(client):
    assert "<loc>http://testserver/en/about/</loc>" in read_sitemap(client)


def test_sitemap_is_an_index_of_one_page_per_section(client):
    assert sitemap_pages(client) == [
        "/sitemap-pages.xml",
        "/sitemap-events.xml",
        "/sitemap-news.xml",
        "/sitemap-topics.xml",
        "/sitemap-people.xml",
        "/sitemap-organisations.xml",
    ]
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_unknown_page_gets_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Traceback" not in html


def test_server_error_page_leaks_nothing(client, settings):
    settings.ROOT_URLCONF = "tests.urls_error"
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "RuntimeError" not in html
    assert "secret detail" not in html


def test_security_headers_on_every_response(client):
    for path in ("/en/", "/healthz", "/no-such-page/"):
        response = client.get(path)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_admin_login_locks_out_after_repeated_failures(client, settings):
    get_user_model().objects.create_superuser("editor", "editor@example.org", "right-password-1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "editor", "password": "right-password-1"})
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Counted in the database, shared by every process.
    assert AccessAttempt.objects.get(username="editor").failures_since_start >= 5


def test_admin_login_works_with_the_right_password(client):
    get_user_model().objects.create_superuser("editor", "editor@example.org", "right-password-1")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": "right-password-1"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_models_and_migrations_agree():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_navigation_marks_the_current_section(client):
    html = client.get("/en/about/").content.decode()
    assert '<a href="/en/about/" aria-current="page">About</a>' in html
    assert '<a href="/en/" aria-current' not in html
    html = client.get("/en/events/past/").content.decode()
    assert '<a href="/en/events/" aria-current="true">Events</a>' in html
