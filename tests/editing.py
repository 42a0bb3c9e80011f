"""Helpers for the editors' tests: real image files, and the article form as the admin posts it."""

import io
from html.parser import HTMLParser
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


def photo_bytes(width=4000, height=3000, *, image_format="JPEG", mode="RGB", exif=None):
    """A real photo-like image: lines of colour, so it compresses like one."""
    image = Image.new(mode, (width, height), (30, 90, 160) if mode == "RGB" else None)
    draw = ImageDraw.Draw(image)
    step = max(width // 40, 4)
    for x in range(0, width, step):
        colour = (x % 255, 120, 200) if mode == "RGB" else None
        draw.line([(x, 0), (width - x, height)], fill=colour, width=max(step // 6, 1))
    buffer = io.BytesIO()
    options = {"quality": 90} if image_format == "JPEG" else {}
    if exif is not None:
        options["exif"] = exif
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root):
    """Every file under a media folder, as paths relative to it."""
    root = Path(root)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def make_editor(username="editor"):
    editor = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    return editor


def split(moment):
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def article_form(article=None, **changes):
    """
    The article change form as a browser posts it: the article's current values (with the
    hidden initial publish time the admin renders), no inline rows, and `changes`.
    """
    values = {
        "title": "",
        "slug": "",
        "summary": "",
        "body": "",
        "status": "draft",
        "publish_at": timezone.now(),
        "image_alt": "",
        "topics": [],
        "organisations": [],
    }
    if article is not None:
        values.update(
            title=article.title,
            slug=article.slug,
            summary=article.summary,
            body=article.body,
            status=article.status,
            publish_at=article.publish_at,
            image_alt=article.image_alt,
            topics=[topic.pk for topic in article.topics.all()],
            organisations=[organisation.pk for organisation in article.organisations.all()],
        )
    publish_at = changes.pop("publish_at", values["publish_at"])
    values.update(changes)
    # The admin edits each translated field as a column per language: title_en, title_fr.
    for name in ("title", "summary", "body", "image_alt"):
        values[f"{name}_en"] = values.pop(name)
    data = {key: value for key, value in values.items() if key != "publish_at"}
    data["publish_at_0"], data["publish_at_1"] = split(publish_at)
    data["initial-publish_at_0"], data["initial-publish_at_1"] = split(values["publish_at"])
    for prefix in ("quotes", "embargo_links"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return {key: value for key, value in data.items() if value is not None}


class _FormReader(HTMLParser):
    """The values a browser would submit from the admin's change form."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.data = {}
        self.in_form = False
        self.select = None
        self.textarea = None

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form_id(attrs.get("id")):
            self.in_form = True
        if not self.in_form or ("name" not in attrs and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "file", "button", "image"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.add(attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.add(self.textarea, "")

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            if self.data[self.textarea][-1].startswith("\n"):
                self.data[self.textarea][-1] = self.data[self.textarea][-1][1:]
            self.textarea = None


def change_form_data(response, form_id=lambda id: (id or "").endswith("_form"), **changes):
    """What the admin page's form submits as it stands, with `changes` typed in."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = {name: values if len(values) > 1 else values[0] for name, values in reader.data.items()}
    data.update(changes)
    return data
