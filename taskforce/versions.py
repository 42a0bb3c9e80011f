"""
What changed between two versions of a page's content, field by field, as staff read it.

Versions are django-reversion's. Rich text is compared as readable text, paragraph by
paragraph and then word by word, and written as <del>/<ins> with no inline style, so
the admin's Content-Security-Policy holds.
"""

import difflib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.db import models
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django_prose_editor.fields import ProseEditorField

from .languages import translated_field_names

BLOCK_TAGS = {"p", "h2", "h3", "h4", "li", "blockquote", "hr", "br"}
# Fields no editor sets: shown in neither the comparison nor the restore form's summary.
UNCOMPARED = {"id", "created", "updated", "search_vector", "search_vector_fr"}
HIDDEN_TEXT = '<span class="visually-hidden">{} </span>'


class _TextBlocks(HTMLParser):
    """Rich text as the paragraphs, headings and list items a reader sees, one string each."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.current = []
        self.prefix = ""

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._close()
            self.prefix = {"h2": "## ", "h3": "### ", "h4": "#### ", "li": "• "}.get(tag, "")
        if tag == "a":
            self.href = dict(attrs).get("href", "")

    def handle_endtag(self, tag):
        if tag == "a" and getattr(self, "href", ""):
            self.current.append(f" <{self.href}>")
            self.href = ""
        if tag in BLOCK_TAGS:
            self._close()

    def handle_data(self, data):
        self.current.append(data)

    def _close(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(self.prefix + text)
        self.current = []
        self.prefix = ""

    def close(self):
        super().close()
        self._close()


def text_blocks(html):
    parser = _TextBlocks()
    parser.feed(html or "")
    parser.close()
    return parser.blocks


def _words(text):
    return re.findall(r"\S+|\s+", text)


def inline_diff(old, new):
    """One string with the words removed in <del> and those added in <ins>."""
    old_words, new_words = _words(old), _words(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for operation, old_from, old_to, new_from, new_to in matcher.get_opcodes():
        removed = "".join(old_words[old_from:old_to])
        added = "".join(new_words[new_from:new_to])
        if operation == "equal":
            parts.append(escape(removed))
            continue
        if removed.strip():
            parts.append(
                format_html("<del>" + HIDDEN_TEXT + "{}</del>", gettext("removed:"), removed)
            )
        if added.strip():
            parts.append(format_html("<ins>" + HIDDEN_TEXT + "{}</ins>", gettext("added:"), added))
        elif removed and not removed.strip():
            parts.append(escape(added))
    return mark_safe("".join(parts))


@dataclass
class BlockChange:
    kind: str  # "changed", "added", "removed", "unchanged"
    html: str


def blocks_diff(old_html, new_html):
    """The paragraphs that changed between two rich texts, with a count of those that did not."""
    old_blocks, new_blocks = text_blocks(old_html), text_blocks(new_html)
    changes = []
    matcher = difflib.SequenceMatcher(None, old_blocks, new_blocks, autojunk=False)
    for operation, old_from, old_to, new_from, new_to in matcher.get_opcodes():
        old_part, new_part = old_blocks[old_from:old_to], new_blocks[new_from:new_to]
        if operation == "equal":
            count = len(old_part)
            label = ngettext(
                "%(count)d paragraph unchanged", "%(count)d paragraphs unchanged", count
            ) % {"count": count}
            changes.append(BlockChange("unchanged", label))
            continue
        paired = min(len(old_part), len(new_part)) if operation == "replace" else 0
        for old, new in zip(old_part[:paired], new_part[:paired], strict=True):
            changes.append(BlockChange("changed", inline_diff(old, new)))
        for old in old_part[paired:]:
            changes.append(BlockChange("removed", escape(old)))
        for new in new_part[paired:]:
            changes.append(BlockChange("added", escape(new)))
    return changes


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    inline: str = ""  # for text: one string with <del>/<ins>
    blocks: list = None  # for rich text: the paragraphs that changed
    note: str = ""  # for rich text whose words are the same


def _is_rich_text(field):
    return isinstance(field, ProseEditorField)


def display_value(field, value):
    """A field's value as staff read it."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ManyToManyField):
        names = sorted(str(obj) for obj in field.related_model._base_manager.filter(pk__in=value))
        return ", ".join(names) or "—"
    if isinstance(field, models.ForeignKey):
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related else gettext("(deleted: %(id)s)") % {"id": value}
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(field, models.DateTimeField):
        return formats.date_format(timezone.localtime(value), "j F Y, H:i T")
    if isinstance(field, models.FileField):
        return str(getattr(value, "name", value)).rsplit("/", 1)[-1]
    return str(value)


def compared_fields(model):
    """The fields an editor sets; a translated field by its column in each language only."""
    shadowed = translated_field_names(model)
    return [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.name not in UNCOMPARED
        and field.name not in shadowed
        and (field.editable or isinstance(field, models.FileField))
    ]


def field_changes(model, old_fields, new_fields):
    """FieldChange for each field that differs between two versions' field dicts."""
    changes = []
    for field in compared_fields(model):
        old, new = old_fields.get(field.attname), new_fields.get(field.attname)
        if isinstance(field, models.ManyToManyField):
            old, new = sorted(old or []), sorted(new or [])
        if isinstance(field, models.FileField):
            old, new = getattr(old, "name", old) or "", getattr(new, "name", new) or ""
        if isinstance(field, models.CharField | models.TextField):
            old, new = old or "", new or ""  # a language left blank: None or ""
        if old == new:
            continue
        change = FieldChange(
            str(field.verbose_name).capitalize(),
            display_value(field, old),
            display_value(field, new),
        )
        if _is_rich_text(field):
            change.blocks = blocks_diff(old, new)
            if all(block.kind == "unchanged" for block in change.blocks):
                change.blocks = None
                change.note = gettext("Only the markup changed: the text reads the same.")
        elif isinstance(field, models.TextField | models.CharField) and not field.choices:
            change.inline = inline_diff(old or "", new or "")
        changes.append(change)
    return changes


def field_values(obj, fields):
    """A saved or unsaved object's values in the form of a version's field_dict."""
    values = {}
    for field in fields:
        if isinstance(field, models.ManyToManyField):
            values[field.attname] = sorted(related.pk for related in getattr(obj, field.name).all())
        else:
            values[field.attname] = getattr(obj, field.attname)
    return values
