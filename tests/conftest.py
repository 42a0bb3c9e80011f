import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread
from django.utils import translation

BASE_DIR = Path(__file__).resolve().parent.parent


class OneRequestAtATimeOnSQLite(ThreadedWSGIServer):
    """
    The live server, each request alone when its threads share the test's one in-memory
    SQLite connection (that database exists in that connection only). Two requests on it
    at once can deadlock inside SQLite, one holding its mutex and waiting for Python's
    lock, the other the reverse: an admin autocomplete still running beside the page
    after Save. Each connection keeps its own thread, so a kept-alive one blocks nothing.
    """

    one_at_a_time = threading.Lock()

    def set_app(self, application):
        if not any(
            conn.vendor == "sqlite" and conn.is_in_memory_db() for conn in connections.all()
        ):
            return super().set_app(application)

        def serialized(environ, start_response):
            with self.one_at_a_time:
                return application(environ, start_response)

        return super().set_app(serialized)


LiveServerThread.server_class = OneRequestAtATimeOnSQLite


@pytest.fixture(autouse=True)
def _test_environment(settings, tmp_path):
    """
    Serve static files without a collectstatic manifest, over plain HTTP, and
    render every page afresh: the page cache has its own tests (test_page_cache.py).
    The cache is this process's memory, so tests without the database can use it;
    the database cache (the embedded default) and Redis have tests of their own.
    Emails go out as each transaction commits, so a test reads them in mail.outbox
    at once; the worker that sends them by default has its own tests
    (test_outbox_worker.py).
    Uploads go to a folder of the test's own.
    """
    settings.EMAIL_SEND_AT_ONCE = True
    settings.MEDIA_ROOT = tmp_path / "media"
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
    # A request leaves its language active in the thread; each test starts in English.
    translation.activate(settings.LANGUAGE_CODE)
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


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url, *, timeout=30, process=None):
    """Poll `url` until it answers (any HTTP status), or fail with the process's output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url} exited early: {process.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API on a free local port: moto's standalone server, in its own process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{endpoint}/moto-api/", process=process)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def public_read_policy(bucket):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


@pytest.fixture
def s3_bucket(s3_server, monkeypatch):
    """A new, empty bucket on the S3 server; boto3 reads the credentials from the environment."""
    import boto3

    for name, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = f"media-{secrets.token_hex(4)}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    # As README, Deploying says: anyone may read the files, only the site may write them.
    client.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
    return SimpleNamespace(name=bucket, endpoint=s3_server, client=client)


@pytest.fixture
def editor_client(db):
    """A client signed in as a member of the Editors group."""
    from django.test import Client

    from tests.editing import make_editor

    client = Client()
    client.force_login(make_editor())
    return client
