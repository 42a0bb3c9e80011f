"""
Uploaded images: checked for what they are, stored under unguessable names, shown
on pages as resized copies (renditions), and deleted with everything made from
them once nothing refers to them.

Renditions are django-imagekit specs made when an image is saved (the Optimistic
strategy), so a page only computes their addresses: no query, no storage call.
docs/editing.md says why imagekit and how the pieces fit.
"""

import logging
import secrets
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.fields.files import ImageFieldFile
from django.db.models.signals import post_delete, post_init, post_save, pre_save
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext
from imagekit import ImageSpec
from imagekit.cachefiles import ImageCacheFile
from imagekit.models import ImageSpecField
from imagekit.models.fields.utils import ImageSpecFileDescriptor
from imagekit.processors import ResizeToFit, Transpose
from PIL import Image, UnidentifiedImageError

from .languages import in_default_language

logger = logging.getLogger(__name__)

# What Pillow calls each accepted format, and the extension the stored file gets.
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,image/gif"
# Enough for any camera (a 40-megapixel photo is 7700 by 5200); more is a decompression bomb.
MAX_PIXELS = 40_000_000
# EXIF orientations that turn the picture a quarter: width and height swap when shown.
QUARTER_TURNS = {5, 6, 7, 8}


def max_upload_bytes():
    return settings.IMAGE_MAX_UPLOAD_MB * 1024 * 1024


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB"


def check_image(file):
    """
    Raise ValidationError unless `file` is a JPEG, PNG, WebP or GIF that Pillow reads
    whole, within the size limit. Returns the extension the file should carry.
    """
    if file.size > max_upload_bytes():
        raise ValidationError(
            "This file is %(size)s; an image can be at most %(limit)s MB. "
            "Export it smaller (2000 pixels wide is plenty) and upload it again.",
            code="too_large",
            params={"size": _megabytes(file.size), "limit": settings.IMAGE_MAX_UPLOAD_MB},
        )
    with _read_by_pillow(file) as image:
        image_format, (width, height) = image.format, image.size
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(
            "This is a %(format)s image; upload a JPEG, PNG, WebP or GIF instead.",
            code="unsupported_format",
            params={"format": image_format},
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(_too_many_pixels(width, height), code="too_many_pixels")
    with _read_by_pillow(file) as image:
        image.verify()
    # verify() checks the structure; decoding every pixel finds a truncated file.
    with _read_by_pillow(file) as image:
        image.load()
    return ACCEPTED_FORMATS[image_format]


@contextmanager
def _read_by_pillow(file):
    """The file opened by Pillow; anything Pillow cannot read is a clear ValidationError."""
    position = file.tell()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file) as image:
                yield image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_too_many_pixels(), code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(
            "This file is not an image we can use: upload a JPEG, PNG, WebP or GIF "
            "(SVG and other formats are not accepted).",
            code="invalid_image",
        ) from None
    finally:
        file.seek(position)


def _too_many_pixels(width=None, height=None):
    size = f"is {width} by {height} pixels" if width else "has too many pixels"
    return (
        f"This image {size}; at most {MAX_PIXELS // 1_000_000} million pixels are accepted "
        "(e.g. 7700 by 5200). Export it smaller and upload it again."
    )


def with_extension(name, extension):
    """The file name with the extension of what the file really is."""
    stem = PurePosixPath(name).stem or "image"
    return f"{stem}.{extension}"


class ImageUploadField(forms.ImageField):
    """The form side: refuses what check_image() refuses, before the model sees it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.help_text = f"{self.help_text} At most {settings.IMAGE_MAX_UPLOAD_MB} MB.".strip()

    def to_python(self, data):
        file = forms.FileField.to_python(self, data)
        if file is None:
            return None
        extension = check_image(file)
        file.name = with_extension(file.name, extension)
        file.image_checked = True
        return file

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ACCEPTED_TYPES
        return attrs


def validate_uploaded_image(value):
    """Check a new upload however it arrives (a form already checked its own)."""
    if getattr(value, "_committed", True):
        return
    file = getattr(value, "file", value)
    if not getattr(file, "image_checked", False):
        check_image(file)


def upright_size(file):
    """
    Width and height as the image is shown, after its EXIF orientation is applied;
    (None, None) for a file that cannot be read.
    """
    try:
        position = file.tell() if not file.closed else None
        if file.closed:
            file.open("rb")
    except OSError:
        return None, None
    try:
        file.seek(0)
        with Image.open(file) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None, None
    finally:
        if position is None:
            file.close()
        else:
            file.seek(position)
    return (height, width) if orientation in QUARTER_TURNS else (width, height)


class UprightImageFieldFile(ImageFieldFile):
    """Dimensions of the image as shown, so a portrait photo from a phone stays portrait."""

    def _get_image_dimensions(self):
        if not hasattr(self, "_dimensions_cache"):
            self._dimensions_cache = upright_size(self)
        return self._dimensions_cache


class UploadedImageField(models.ImageField):
    """An image that staff upload: checked, sized and stored as validate_uploaded_image says."""

    attr_class = UprightImageFieldFile
    default_validators = [validate_uploaded_image]

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        """Sizes are stored when a file is set; loading a row never reads its file."""
        if force:
            super().update_dimension_fields(instance, force, *args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ImageUploadField, **kwargs})


@deconstructible
class ImagePath:
    """
    upload_to for images: folder/year/name-random.ext.

    The random part keeps the names of images for unpublished articles unguessable
    and every name new, so storage and browsers may cache a file for good.
    """

    def __init__(self, folder=None):
        self.folder = folder  # None: the model's app (news, events)

    def __call__(self, instance, filename):
        path = PurePosixPath(filename)
        stem = slugify(path.stem)[:50] or "image"
        folder = self.folder or instance._meta.app_label
        return f"{folder}/{timezone.now():%Y}/{stem}-{secrets.token_hex(4)}{path.suffix.lower()}"

    def __eq__(self, other):
        return isinstance(other, ImagePath) and other.folder == self.folder


# --- Renditions --------------------------------------------------------------------------


class MakeOnSave:
    """
    imagekit's cache file strategy: renditions are made when their image is saved and
    assumed to exist afterwards, so a page never checks storage. One that cannot be made
    (the original is missing or unreadable) is logged; the save goes through.
    """

    def on_source_saved(self, file):
        try:
            file.generate()
        except Exception:
            logger.exception("Could not make the rendition %s", file.name)

    def should_verify_existence(self, file):
        return False


def stop_watching_every_loaded_row():
    """
    imagekit notes the image of every model instance created (post_init), of any model,
    to tell on save whether it changed: about 4 µs a row on every page. Without it,
    every save of a row with an image asks MakeOnSave for the renditions, which makes
    only those that are missing (one cache read each): saves are rare, pages are not.
    """
    post_init.disconnect(dispatch_uid="ik_spec_field_receivers")


class Rendition(ImageSpec):
    """A WebP copy at most `width` pixels wide, upright, never enlarged."""

    width = None
    format = "WEBP"
    options = {"quality": 80, "method": 4}

    @property
    def processors(self):
        return [Transpose(), ResizeToFit(width=self.width, upscale=False)]


class FallbackRendition(Rendition):
    """For browsers without WebP: JPEG for photos, PNG where the original may be transparent."""

    @property
    def format(self):
        return "JPEG" if self.source.name.lower().endswith((".jpg", ".jpeg")) else "PNG"

    @property
    def options(self):
        return {"quality": 82, "optimize": True, "progressive": True}


def rendition(width):
    return type(f"Rendition{width}", (Rendition,), {"width": width})


def fallback_rendition(width):
    return type(f"FallbackRendition{width}", (FallbackRendition,), {"width": width})


def rendition_width(original_width, original_height, width):
    """The size of the copy `width` makes of an original of this size (as ResizeToFit does)."""
    if width >= original_width:
        return original_width, original_height
    return width, round(original_height * width / original_width)


@dataclass(frozen=True)
class Picture:
    """What a <picture> element needs: the WebP sizes, a fallback, its size and alt text."""

    sources: list  # (url, width), smallest first
    fallback_url: str
    width: int
    height: int
    alt: str
    fallback_size: tuple = None  # (width, height) of the fallback copy, as shared pages give it

    @property
    def srcset(self):
        return ", ".join(f"{url} {width}w" for url, width in self.sources)

    def url_for(self, width):
        """The narrowest copy at least `width` pixels wide, or the widest there is."""
        return next((url for url, wide in self.sources if wide >= width), self.sources[-1][0])


def admin_thumbnail(image, thumbnail):
    """The small copy that lists in the admin show."""
    if not image:
        return ""
    return format_html('<img class="admin-thumbnail" src="{}" alt="" width="80">', thumbnail.url)


def admin_preview(picture, *, width, height):
    """The image on its form as the site shows it, with the size of the original."""
    if picture is None:
        return "—"
    return format_html(
        '<img class="admin-image-preview" src="{}" alt="{}" width="240"><br>{} by {} pixels',
        picture.url_for(480),
        picture.alt,
        width,
        height,
    )


def make_picture(image, *, width, height, renditions, fallback, alt):
    """
    The renditions of `image` that fit its size: copies narrower than the original,
    then one at the original's width (a copy is never wider than its source).
    """
    if not image or not width or not height:
        return None
    sources = []
    for copy in sorted(renditions, key=lambda copy: copy.generator.width):
        copy_width, _ = rendition_width(width, height, copy.generator.width)
        sources.append((copy.url, copy_width))
        if copy_width == width:
            break
    largest = sources[-1][1]
    return Picture(
        sources=sources,
        fallback_url=fallback.url,
        width=largest,
        height=rendition_width(width, height, largest)[1],
        alt=alt,
        fallback_size=rendition_width(width, height, fallback.generator.width),
    )


class Illustrated(models.Model):
    """
    An image for the page and for sharing, with its alt text, size and renditions:
    articles (and their drafts) and events. People's photos have sizes of their own.
    The alt text has a column per language (translation.py of each app).
    """

    image = UploadedImageField(
        upload_to=ImagePath(),
        blank=True,
        width_field="image_width",
        height_field="image_height",
        help_text="A JPEG, PNG, WebP or GIF. Pages show copies resized for each screen.",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "image alt text",
        max_length=250,
        blank=True,
        help_text="What the image shows, for people who cannot see it. Required with an image.",
    )
    # Made when the image is saved.
    image_480 = ImageSpecField(source="image", spec=rendition(480))
    image_960 = ImageSpecField(source="image", spec=rendition(960))
    image_1440 = ImageSpecField(source="image", spec=rendition(1440))
    image_fallback = ImageSpecField(source="image", spec=fallback_rendition(1200))
    image_thumbnail = ImageSpecField(source="image", spec=rendition(160))

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(image="") | ~models.Q(image_alt=""),
                name="%(app_label)s_%(class)s_image_has_alt_text",
                violation_error_message="An image needs alt text.",
            ),
        ]

    def clean(self):
        super().clean()
        if self.image and not self.image_alt.strip():
            raise ValidationError(
                {
                    in_default_language("image_alt"): gettext(
                        "Describe the image for people who cannot see it."
                    )
                }
            )

    @property
    def picture(self):
        """The image as pages show it: resized WebP copies and a JPEG or PNG fallback."""
        return make_picture(
            self.image,
            width=self.image_width,
            height=self.image_height,
            renditions=[self.image_480, self.image_960, self.image_1440],
            fallback=self.image_fallback,
            alt=self.image_alt,
        )


# --- No file left behind -----------------------------------------------------------------

_tracked_fields = []  # (model, field name): every place an image file can be referred to


def track_image_files(model, field_name):
    """
    Delete an image file of `model.field_name`, and every rendition made from it, once
    no row refers to it any more: when it is replaced, cleared or its row deleted.

    Checked after the transaction commits, across every tracked field, so a file that
    moves from one row to another (draft changes that are published) is kept.
    """
    _tracked_fields.append((model, field_name))
    uid = f"image-files-{model._meta.label}-{field_name}"
    pre_save.connect(_remember_stored_name, sender=model, dispatch_uid=uid)
    post_save.connect(_forget_replaced_file, sender=model, dispatch_uid=uid)
    post_delete.connect(_forget_deleted_file, sender=model, dispatch_uid=uid)


def _fields_of(model):
    return [name for tracked, name in _tracked_fields if issubclass(model, tracked)]


def _remember_stored_name(sender, instance, **kwargs):
    fields = _fields_of(sender)
    if instance.pk is None or not fields:
        instance._stored_image_names = {}
        return
    stored = sender._base_manager.filter(pk=instance.pk).values(*fields).first() or {}
    instance._stored_image_names = stored


def _forget_replaced_file(sender, instance, **kwargs):
    stored = getattr(instance, "_stored_image_names", {})
    for field_name in _fields_of(sender):
        old = stored.get(field_name)
        if old and old != getattr(instance, field_name).name:
            _delete_once_unreferenced(sender, field_name, old)


def _forget_deleted_file(sender, instance, **kwargs):
    for field_name in _fields_of(sender):
        name = getattr(instance, field_name).name
        if name:
            _delete_once_unreferenced(sender, field_name, name)


def _delete_once_unreferenced(model, field_name, name):
    field = model._meta.get_field(field_name)
    specs = rendition_specs(model, field_name)
    transaction.on_commit(lambda: delete_if_unreferenced(field, name, specs))


def rendition_specs(model, field_name):
    """The imagekit specs made from `model.field_name` (its ImageSpecFields)."""
    return [
        attribute.field
        for klass in model.__mro__
        for attribute in vars(klass).values()
        if isinstance(attribute, ImageSpecFileDescriptor)
        and attribute.source_field_name == field_name
    ]


def is_referenced(name):
    return any(
        model._base_manager.filter(**{field_name: name}).exists()
        for model, field_name in _tracked_fields
    )


def delete_if_unreferenced(field, name, specs):
    if is_referenced(name):
        return
    storage = field.storage
    source = ImageFieldFile(None, field, name)
    for spec_field in specs:
        copy = ImageCacheFile(spec_field.get_spec(source=source))
        storage.delete(copy.name)
        backend = copy.cachefile_backend
        backend.cache.delete(backend.get_key(copy))
    storage.delete(name)


def stored_file_exists(file):
    """Whether the file an image field names is still stored (an old version may name one gone)."""
    return bool(file) and file.storage.exists(file.name)
