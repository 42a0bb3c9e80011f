"""Images: checked on upload, shown as resized copies, served in every mode, never left behind."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from news.models import Article, ArticleDraft
from tests.editing import (
    SVG,
    article_form,
    photo_bytes,
    stored_files,
    upload,
)
from tests.makers import make_article, make_person, make_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return make_article(title="Cities meet", publish_at=timezone.now() - timedelta(days=1))


def change_url(article):
    return f"/admin/news/article/{article.pk}/change/"


def picture_markup(html):
    match = re.search(r"<picture>(.*?)</picture>", html, re.DOTALL)
    assert match, "no <picture> on the page"
    return match.group(1)


def srcset_of(markup):
    srcset = re.search(r'<source type="image/webp" srcset="([^"]+)"', markup).group(1)
    return [tuple(entry.strip().rsplit(" ", 1)) for entry in srcset.split(",")]


def fetch_image(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    content = b"".join(response.streaming_content)
    return response, Image.open(io.BytesIO(content))


def test_uploaded_photo_is_shown_as_resized_webp_copies_never_the_original(
    editor_client, client, article, settings
):
    response = editor_client.post(
        change_url(article),
        article_form(
            article,
            image=upload("Stage at the forum.JPG", photo_bytes(4000, 3000)),
            image_alt="Three speakers on a stage",
        ),
    )
    assert response.status_code == 302, response.context["errors"]
    article.refresh_from_db()
    assert (article.image_width, article.image_height) == (4000, 3000)
    assert re.fullmatch(r"news/\d{4}/stage-at-the-forum-[0-9a-f]{8}\.jpg", article.image.name)

    html = client.get(article.get_absolute_url()).content.decode()
    markup = picture_markup(html)
    assert 'alt="Three speakers on a stage"' in markup
    assert 'width="1440" height="1080"' in markup
    assert 'sizes="(min-width: 44rem) 42rem, calc(100vw - 2rem)"' in markup
    assert article.image.name not in html
    sources = srcset_of(markup)
    assert [width for _, width in sources] == ["480w", "960w", "1440w"]
    for url, width in sources:
        served, image = fetch_image(client, url)
        assert served["Content-Type"] == "image/webp"
        assert "immutable" in served["Cache-Control"]
        assert (image.format, image.size) == ("WEBP", (int(width[:-1]), int(width[:-1]) * 3 // 4))
    fallback = re.search(r'<img src="([^"]+)"', markup).group(1)
    _, image = fetch_image(client, fallback)
    assert (image.format, image.size) == ("JPEG", (1200, 900))
    assert f'<meta property="og:image" content="http://testserver{fallback}">' in html


REFUSED = {
    "text renamed .png": (
        "photo.png",
        b"#!/bin/sh\nrm -rf /\n" * 20,
        "not an image we can use",
    ),
    "SVG with a script": ("logo.svg", SVG, "SVG and other formats are not accepted"),
    "HTML renamed .jpg": ("page.jpg", b"<html><script>x()</script></html>", "not an image"),
    "BMP": ("scan.bmp", None, "This is a BMP image; upload a JPEG, PNG, WebP or GIF"),
    "over the size limit": ("huge.jpg", b"\xff\xd8" + b"\x00" * (1024 * 1024 + 10), "at most 1 MB"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_upload_that_is_not_an_accepted_image_is_refused_with_a_message(
    editor_client, article, settings, case
):
    settings.IMAGE_MAX_UPLOAD_MB = 1
    name, content, message = REFUSED[case]
    if content is None:
        content = photo_bytes(20, 20, image_format="BMP")
    response = editor_client.post(
        change_url(article), article_form(article, image=upload(name, content), image_alt="x")
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    article.refresh_from_db()
    assert not article.image
    assert stored_files(settings.MEDIA_ROOT) == []


def test_an_image_of_too_many_pixels_is_refused(editor_client, article, settings):
    bomb = io.BytesIO()
    Image.new("1", (8000, 6000)).save(bomb, "PNG")
    response = editor_client.post(
        change_url(article),
        article_form(article, image=upload("plain.png", bomb.getvalue()), image_alt="x"),
    )
    assert "This image is 8000 by 6000 pixels; at most 40 million" in response.content.decode()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_a_file_is_stored_with_the_extension_of_what_it_is(editor_client, article):
    png_named_jpg = upload("diagram.jpg", photo_bytes(50, 40, image_format="PNG"))
    editor_client.post(
        change_url(article), article_form(article, image=png_named_jpg, image_alt="A diagram")
    )
    article.refresh_from_db()
    assert article.image.name.endswith(".png")


def test_a_phone_photo_turned_by_its_exif_keeps_its_shape(editor_client, client, article):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown turned a quarter: portrait
    editor_client.post(
        change_url(article),
        article_form(
            article,
            image=upload("phone.jpg", photo_bytes(1600, 1200, exif=exif)),
            image_alt="A portrait",
        ),
    )
    article.refresh_from_db()
    assert (article.image_width, article.image_height) == (1200, 1600)
    markup = picture_markup(client.get(article.get_absolute_url()).content.decode())
    assert 'width="1200" height="1600"' in markup
    sizes = [fetch_image(client, url)[1].size for url, _ in srcset_of(markup)]
    assert sizes == [(480, 640), (960, 1280), (1200, 1600)]


def test_a_small_image_is_never_enlarged(editor_client, client, article):
    editor_client.post(
        change_url(article),
        article_form(article, image=upload("small.jpg", photo_bytes(300, 200)), image_alt="Small"),
    )
    markup = picture_markup(client.get(article.get_absolute_url()).content.decode())
    assert [width for _, width in srcset_of(markup)] == ["300w"]
    assert 'width="300" height="200"' in markup


def test_a_transparent_png_falls_back_to_png_and_a_gif_is_accepted(editor_client, client, article):
    transparent = photo_bytes(600, 400, image_format="PNG", mode="RGBA")
    editor_client.post(
        change_url(article),
        article_form(article, image=upload("logo.png", transparent), image_alt="Logo"),
    )
    markup = picture_markup(client.get(article.get_absolute_url()).content.decode())
    fallback = re.search(r'<img src="([^"]+)"', markup).group(1)
    _, image = fetch_image(client, fallback)
    assert (image.format, image.mode) == ("PNG", "RGBA")

    gif = photo_bytes(120, 80, image_format="GIF", mode="P")
    article.refresh_from_db()
    response = editor_client.post(
        change_url(article), article_form(article, image=upload("anim.gif", gif), image_alt="GIF")
    )
    assert response.status_code == 302


def test_the_admin_lists_articles_with_a_thumbnail(editor_client, article):
    editor_client.post(
        change_url(article),
        article_form(article, image=upload("thumb.jpg", photo_bytes(800, 600)), image_alt="Stage"),
    )
    article.refresh_from_db()
    listing = editor_client.get("/admin/news/article/").content.decode()
    thumbnail = re.search(r'<img class="admin-thumbnail" src="([^"]+)"', listing).group(1)
    _, image = fetch_image(editor_client, thumbnail)
    assert image.size == (160, 120)
    form = editor_client.get(change_url(article)).content.decode()
    assert "800 by 600 pixels" in form
    assert "Pages show copies resized for each screen. At most 10 MB." in form
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in form


def test_a_person_photo_is_shown_resized_on_their_page(editor_client, client):
    person = make_person(name="Chaesub Lee", slug="chaesub-lee")
    make_quote(person=person, text="Cities need standards.")
    response = editor_client.post(
        f"/admin/quotes/person/{person.pk}/change/",
        {
            "name": person.name,
            "slug": person.slug,
            "role": "Director",
            "photo": upload("lee.jpg", photo_bytes(1000, 1250)),
            "photo_alt": "Chaesub Lee smiling",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    markup = picture_markup(client.get(person.get_absolute_url()).content.decode())
    assert [width for _, width in srcset_of(markup)] == ["240w", "480w"]
    assert 'width="480" height="600"' in markup
    assert 'alt="Chaesub Lee smiling"' in markup


# No file left behind


def test_replacing_clearing_or_deleting_an_image_leaves_no_file_behind(
    editor_client, article, settings, django_capture_on_commit_callbacks
):
    def post(**changes):
        article.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(change_url(article), article_form(article, **changes))
        assert response.status_code == 302, response.context["errors"]
        article.refresh_from_db()

    post(image=upload("first.jpg", photo_bytes(1500, 1000)), image_alt="First")
    first = stored_files(settings.MEDIA_ROOT)
    assert len(first) == 6  # the original and five renditions
    post(image=upload("second.jpg", photo_bytes(1500, 1000)), image_alt="Second")
    second = stored_files(settings.MEDIA_ROOT)
    assert len(second) == 6
    assert not set(first) & set(second)
    assert all("second" in name for name in second)

    post(**{"image-clear": "on", "image_alt": ""})
    assert stored_files(settings.MEDIA_ROOT) == []

    post(image=upload("third.jpg", photo_bytes(900, 600)), image_alt="Third")
    assert len(stored_files(settings.MEDIA_ROOT)) == 6
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(f"/admin/news/article/{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(pk=article.pk).exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_an_image_shared_by_an_article_and_its_draft_changes_is_kept(
    article, settings, django_capture_on_commit_callbacks
):
    article.image = upload("shared.jpg", photo_bytes(600, 400))
    article.image_alt = "Shared"
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
        ArticleDraft.save_changes(article=article, topics=[], organisations=[])
    files = stored_files(settings.MEDIA_ROOT)
    with django_capture_on_commit_callbacks(execute=True):
        ArticleDraft.objects.get(article=article).delete()
    assert stored_files(settings.MEDIA_ROOT) == files
    assert default_storage.exists(article.image.name)


# Media from this host's disk


def test_media_are_served_from_media_root_and_nothing_else(client, settings, tmp_path):
    (tmp_path / "media").mkdir(exist_ok=True)
    (tmp_path / "media" / "notes.txt").write_text("not an image")
    (tmp_path / "secret.jpg").write_bytes(photo_bytes(10, 10))
    assert client.get("/media/notes.txt").status_code == 404
    assert client.get("/media/../secret.jpg").status_code == 404
    assert client.get("/media/%2e%2e/secret.jpg").status_code == 404
    assert client.get("/media/missing.jpg").status_code == 404


def test_an_image_below_the_fold_is_loaded_lazily_and_one_at_the_top_at_once():
    from django.template.loader import render_to_string

    from taskforce.images import Picture

    picture = Picture(
        sources=[("/a-480.webp", 480), ("/a-960.webp", 960)],
        fallback_url="/a.jpg",
        width=960,
        height=640,
        alt="A hall",
    )
    below = render_to_string("includes/picture.html", {"picture": picture, "lazy": True})
    assert 'loading="lazy"' in below
    assert 'srcset="/a-480.webp 480w, /a-960.webp 960w"' in below
    top = render_to_string("includes/picture.html", {"picture": picture, "sizes": "42rem"})
    assert "loading=" not in top and 'sizes="42rem"' in top
