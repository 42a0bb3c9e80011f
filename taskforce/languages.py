"""
Content in English and French: the fields registered with django-modeltranslation
(each app's translation.py) have a column per language. English is always there;
French is optional, and a field without it reads as its English.
"""

import functools

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.middleware import locale
from django.utils import translation
from django.utils.translation import get_language
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def columns_in_each_language(*names):
    """The column of each of the fields `names` in each language: title_en, title_fr."""
    return tuple(
        build_localized_fieldname(name, code) for name in names for code, _ in settings.LANGUAGES
    )


def in_each_language(*names):
    """The fields `names` and their column in each language: title, title_en, title_fr."""
    return names + columns_in_each_language(*names)


def in_default_language(name):
    """The column of the field `name` in English, which every item has: title_en."""
    return build_localized_fieldname(name, DEFAULT_LANGUAGE)


def shown_in_active_language(name):
    """
    The field `name` as the active language shows it, in SQL: its column in that language,
    or the English where that is blank (what the model's attribute reads).
    """
    english = F(in_default_language(name))
    language = active_language()
    if language == DEFAULT_LANGUAGE:
        return english
    column = F(build_localized_fieldname(name, language))
    return Coalesce(NullIf(column, Value("")), english, output_field=models.TextField())


def translated_field_names(model):
    """The fields of `model` that have a column per language (title for title_en, title_fr)."""
    try:
        return set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return set()


def active_language():
    """The active language if the site has it, else the default (English)."""
    code = (get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else DEFAULT_LANGUAGE


class TranslatedQuerySet(models.QuerySet):
    def written_in(self, language=None):
        """The condition that a row exists in `language` (the active one by default)."""
        column = build_localized_fieldname(
            self.model.translation_key_field, language or active_language()
        )
        return ~(Q(**{f"{column}__isnull": True}) | Q(**{column: ""}))

    def translated(self, language=None):
        """What exists in `language` (the active one by default): its key field is written."""
        return self.filter(self.written_in(language))


class Translated:
    """
    A model whose text is in English and French. An item exists in a language when its
    `translation_key_field` (its title or name) is written in it.
    """

    translation_key_field = "title"

    def has_translation(self, language=None):
        return self.written_in(self.translation_key_field, language or active_language())

    def written_in(self, field_name, language):
        value = getattr(self, build_localized_fieldname(field_name, language), None)
        return bool(value and str(value).strip())

    def language_of(self, field_name):
        """
        The language `field_name` is shown in: the active one, or English where only the
        English is written (a field blank in every language is in none, so the active one).
        """
        language = active_language()
        if self.written_in(field_name, language) or not self.written_in(
            field_name, DEFAULT_LANGUAGE
        ):
            return language
        return DEFAULT_LANGUAGE


def same_in_every_language(view):
    """
    A view whose answer is the same whatever the visitor's language (robots.txt, the
    sitemap, outside the language prefixes): rendered in the default language and sent
    without Content-Language or Vary: Accept-Language (see LocaleMiddleware below), so the
    page cache stores one copy, right for every visitor, whoever asked first.
    """

    @functools.wraps(view)
    def in_default_language(request, *args, **kwargs):
        with translation.override(DEFAULT_LANGUAGE):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response

    in_default_language.same_in_every_language = True
    return in_default_language


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, leaving the answers of views `same_in_every_language` as they are."""

    def process_response(self, request, response):
        match = getattr(request, "resolver_match", None)
        if match is not None and getattr(match.func, "same_in_every_language", False):
            return response
        return super().process_response(request, response)
