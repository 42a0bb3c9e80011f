import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _test_environment(settings, tmp_path):
    """
    Serve static files without a collectstatic manifest, over plain HTTP, and
    render every page afresh: the page cache has its own tests (test_page_cache.py).
    Uploads go to a folder of the test's own.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.PAGE_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def run_manage(*args, env=None, timeout=60):
    """Run manage.py in a fresh process with exactly the given environment (no .env file)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "taskforce.settings",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


PRODUCTION_ENV = {
    "DEBUG": "off",
    "SECRET_KEY": "k3y-for-tests-only-" + "x7Qp9Lm2Zr8Vt4Wn6Yb1Hc5Jd0Fg3Ks" * 2,
    "ALLOWED_HOSTS": "jtf.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://jtf.example.org",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp://mail.example.org:25",
}
