"""Real-browser tests: Playwright driving Debian's Chromium, checked with axe-core.

Skipped with a reason where Chromium is not installed; under CI they must run.
"""

import os
import shutil

import pytest
from django.utils import translation

# Playwright's sync API runs an event loop in this thread; the live server and the
# test's own ORM calls are still synchronous, so let Django allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core on the page as it is now; fail listing every violation."""

    def check(page):
        results = axe.run(page)
        violations = results.response["violations"]
        assert not violations, "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in violations
        )

    return check


class Words:
    """
    The interface in one language, as its visitor reads it: the site's own strings from
    its catalogue (tests/test_i18n.py checks that each has its French), and its paths.
    """

    def __init__(self, language):
        self.language = language

    def __call__(self, text, **values):
        with translation.override(self.language):
            words = translation.gettext(text)
        if not values:
            return words
        return words.format(**values) if "{" in words else words % values

    def plural(self, singular, plural, count):
        with translation.override(self.language):
            return translation.ngettext(singular, plural, count) % {"count": count}

    def path(self, path):
        """A path of the site (/news/) in this language (/fr/news/)."""
        return f"/{self.language}{path}"

    def url(self, obj):
        """An object's page in this language."""
        with translation.override(self.language):
            return obj.get_absolute_url()


@pytest.fixture(params=["en", "fr"])
def words(request):
    """Runs the test once in each language: a visitor's journey is the same in both."""
    return Words(request.param)
