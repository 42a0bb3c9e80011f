"""
An editor uploads a photo in the admin and a reader gets it resized, on the site as
`make serve` runs it: DEBUG off, gunicorn, media on this host's disk or in S3.
"""

import io
import os
import re
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from tests.conftest import BASE_DIR, S3_CREDENTIALS, free_port, run_manage, wait_for
from tests.editing import SVG, photo_bytes

PASSWORD = "a-long-Pass-phrase-9"
# What `make serve` sets (Makefile, LOCAL_PRODUCTION), and a site of the test's own.
SERVE_ENV = {
    "DEBUG": "off",
    "SECRET_KEY": "k3y-for-browser-tests-only-" + "Qp9Lm2Zr8Vt4Wn6Yb1Hc5Jd0Fg3Ks" * 2,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "off",
    "SESSION_COOKIE_SECURE": "off",
    "CSRF_COOKIE_SECURE": "off",
    "SECURE_HSTS_SECONDS": "0",
}
MAKE_EDITOR = f"""
from django.contrib.auth.models import Group, User
editor = User.objects.create_user("editor", password="{PASSWORD}", is_staff=True)
editor.groups.add(Group.objects.get(name="Editors"))
"""


@pytest.fixture(scope="session")
def migrated_site(tmp_path_factory):
    """A migrated SQLite database with an editor, and the collected static files."""
    folder = tmp_path_factory.mktemp("served-site")
    env = {
        **SERVE_ENV,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
    }
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        done = run_manage(*command, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
    done = run_manage("shell", "-c", MAKE_EDITOR, env=env)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def serve(migrated_site, tmp_path):
    """Start gunicorn as `make serve` does, with extra environment; yields its address."""
    servers = []

    def start(**extra_env):
        shutil.copy(migrated_site / "db.sqlite3", tmp_path / "db.sqlite3")
        port = free_port()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "ENV_FILE": os.devnull,
            **SERVE_ENV,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "STATIC_ROOT": str(migrated_site / "static"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESSLOG": "",
            **extra_env,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config=python:taskforce.gunicorn",
                "taskforce.wsgi",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        servers.append(process)
        address = f"http://127.0.0.1:{port}"
        wait_for(f"{address}/healthz", process=process)
        return address

    yield start
    for process in servers:
        process.terminate()
        process.wait(timeout=20)
        process.stdout.close()


def sign_in(page):
    page.goto("/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def upload_and_save(page, name, content, mime_type):
    page.locator("input[type=file][name=image]").set_input_files(
        {"name": name, "mimeType": mime_type, "buffer": content}
    )
    page.get_by_role("button", name="Save", exact=True).click()


@pytest.mark.parametrize("storage", ["filesystem", "s3"])
def test_an_uploaded_photo_reaches_readers_resized_and_bad_files_are_refused(
    browser, serve, request, storage, assert_accessible
):
    extra_env = {}
    if storage == "s3":
        bucket = request.getfixturevalue("s3_bucket")
        extra_env = {
            **S3_CREDENTIALS,
            "AWS_STORAGE_BUCKET_NAME": bucket.name,
            "AWS_S3_ENDPOINT_URL": bucket.endpoint,
            "AWS_S3_ADDRESSING_STYLE": "path",
        }
    address = serve(**extra_env)
    editor_context = browser.new_context(base_url=address)
    page = editor_context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page)

    page.goto("/admin/news/article/add/")
    page.get_by_label("Title [en]").fill("Cities gather in Geneva")
    page.get_by_label("Summary [en]").fill("The Task Force meets.")
    page.get_by_role("textbox").and_(page.locator(".field-body_en .ProseMirror")).click()
    page.keyboard.type("Standards bodies met to plan their work.")
    page.get_by_label("Status").select_option("published")
    page.get_by_label("Image alt text [en]").fill("Delegates in a conference hall")
    upload_and_save(page, "conference.jpg", photo_bytes(4000, 3000), "image/jpeg")
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    page.locator("#result_list").get_by_role("link", name="Cities gather in Geneva").click()
    refused = {
        "fake.png": (
            b"just some text, not a picture\n" * 10,
            "image/png",
            "not an image we can use",
        ),
        "logo.svg": (SVG, "image/svg+xml", "SVG and other formats are not accepted"),
        "huge.jpg": (b"\xff\xd8" + os.urandom(11 * 1024 * 1024), "image/jpeg", "at most 10 MB"),
    }
    for name, (content, mime_type, message) in refused.items():
        upload_and_save(page, name, content, mime_type)
        assert message in page.locator(".errorlist").first.inner_text(), name

    reader = browser.new_context(base_url=address)
    article = reader.new_page()
    response = article.goto("/en/news/cities-gather-in-geneva/")
    assert response.status == 200
    image = article.locator("article picture img")
    image.wait_for()
    article.wait_for_function("document.querySelector('article picture img').naturalWidth > 0")
    assert (image.get_attribute("width"), image.get_attribute("height")) == ("1440", "1080")
    assert image.get_attribute("alt") == "Delegates in a conference hall"
    srcset = article.locator("article picture source").get_attribute("srcset")
    assert [entry.rsplit(" ", 1)[1] for entry in srcset.split(", ")] == ["480w", "960w", "1440w"]
    shown = image.evaluate("img => img.currentSrc")
    assert re.search(r"/renditions/news/\d{4}/conference-[0-9a-f]{8}/[0-9a-f]{32}\.webp$", shown)
    if storage == "s3":
        assert shown.startswith(f"{bucket.endpoint}/{bucket.name}/")
    else:
        assert shown.startswith(f"{address}/media/")
    served = article.request.get(shown)
    assert served.status == 200
    assert served.headers["content-type"] == "image/webp"
    resized = Image.open(io.BytesIO(served.body()))
    assert resized.format == "WEBP" and resized.width in (480, 960, 1440)
    assert "conference-" not in re.sub(r"/renditions/[^\"' ]+", "", article.content())
    assert_accessible(article)
    reader.close()
    editor_context.close()
