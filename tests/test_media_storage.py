"""Media in S3-compatible object storage, as production with several hosts keeps them."""

import io
import re
import urllib.request

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from taskforce.media import s3_media
from tests.editing import article_form, make_editor, photo_bytes, upload
from tests.makers import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3_storage(s3_bucket, settings):
    storage, media_url, _ = s3_media(
        bucket=s3_bucket.name, endpoint_url=s3_bucket.endpoint, addressing="path"
    )
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_URL = media_url
    return s3_bucket


def keys(bucket):
    listing = bucket.client.list_objects_v2(Bucket=bucket.name)
    return sorted(entry["Key"] for entry in listing.get("Contents", []))


def test_images_and_renditions_go_to_the_bucket_and_are_read_from_it(
    s3_storage, django_capture_on_commit_callbacks
):
    editor = Client()
    editor.force_login(make_editor())
    article = make_article(title="Forum", publish_at=timezone.now())
    url = f"/admin/news/article/{article.pk}/change/"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            url,
            article_form(
                article, image=upload("forum.jpg", photo_bytes(2000, 1500)), image_alt="A"
            ),
        )
    assert response.status_code == 302, response.context["errors"]
    first = keys(s3_storage)
    assert len(first) == 6
    assert any(key.startswith("news/") and key.endswith(".jpg") for key in first)

    html = Client().get(article.get_absolute_url()).content.decode()
    srcset = re.search(r'<source type="image/webp" srcset="([^"]+)"', html).group(1)
    urls = [entry.strip().rsplit(" ", 1)[0] for entry in srcset.split(",")]
    assert all(
        url.startswith(f"{s3_storage.endpoint}/{s3_storage.name}/renditions/") for url in urls
    )
    with urllib.request.urlopen(urls[-1]) as answer:
        assert answer.headers["Content-Type"] == "image/webp"
        assert "immutable" in answer.headers["Cache-Control"]
        assert Image.open(io.BytesIO(answer.read())).size == (1440, 1080)

    article.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(
            url,
            article_form(article, image=upload("other.jpg", photo_bytes(800, 600)), image_alt="B"),
        )
    second = keys(s3_storage)
    assert len(second) == 6 and not set(first) & set(second)


def test_settings_point_pages_and_the_security_policy_at_the_bucket():
    storage, media_url, origin = s3_media(bucket="jtf-media", region="eu-west-1")
    assert media_url == "https://jtf-media.s3.eu-west-1.amazonaws.com/"
    assert storage["OPTIONS"]["querystring_auth"] is False
    assert storage["OPTIONS"]["file_overwrite"] is False
    _, media_url, origin = s3_media(bucket="b", media_url="https://media.jtf.example.org")
    assert (media_url, origin) == (
        "https://media.jtf.example.org/",
        "https://media.jtf.example.org",
    )
