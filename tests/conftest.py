import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _test_environment(settings):
    """
    Serve static files without a collectstatic manifest, over plain HTTP, and
    render every page afresh: the page cache has its own tests (test_page_cache.py).
    The cache is this process's memory, so tests without the database can use it;
    the database cache (the embedded default) and Redis have tests of their own.
    Emails go out as each transaction commits, so a test reads them in mail.outbox
    at once; the worker that sends them by default has its own tests
    (test_outbox_worker.py).
    """
    settings.EMAIL_SEND_AT_ONCE = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.PAGE_CACHE_SECONDS = 0
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def event_manager(client):
    """A staff member of the Event managers group, signed in on `client`."""
    user = User.objects.create_user("manager", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Event managers"))
    client.force_login(user)
    return user


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
