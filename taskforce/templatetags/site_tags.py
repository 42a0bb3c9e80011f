import json
from datetime import datetime
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import Resolver404, resolve, translate_url
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_from_path

from taskforce.cache import declared_query_params
from taskforce.dates import format_date
from taskforce.languages import DEFAULT_LANGUAGE, active_language

register = template.Library()

# As Django's json_script: the data can never close the script element or open a comment.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """A full URL for a path; an address already full (media in object storage) as it is."""
    return context["request"].build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def canonical_url(context, path=None):
    """
    The page's one address: `path` (or the request's), without a query string but the
    page number of a paginated list, as a full URL built from the request.
    """
    url = path or context["request"].path
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        url = f"{url}?page={page.number}"
    return context["request"].build_absolute_uri(url)


@register.simple_tag
def page_languages(url):
    """The page at `url` in each of the site's languages: code, name in itself, full URL."""
    return [
        {"code": code, "name_local": name, "url": url_in_language(url, code)}
        for code, name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def switcher_languages(context):
    """
    The page in each language, as the switcher offers it: with the query the page reads
    (a search's words, filters and page), so the visitor lands on the same view.
    """
    request = context["request"]
    match = request.resolver_match
    names = declared_query_params(match.func) if match else ()
    query = urlencode([(name, value) for name in names for value in request.GET.getlist(name)])
    page_url = request.build_absolute_uri(request.path)
    return [
        {**language, "url": f"{language['url']}?{query}" if query else language["url"]}
        for language in page_languages(page_url)
    ]


def is_page(path):
    try:
        resolve(unquote(path))
    except Resolver404:
        return False
    return True


def url_in_language(url, code):
    """
    `url` in the language `code`. An address that is no page (a 404) has no route to
    translate: the same path under the other language's prefix is its page not found
    in that language, /en/news/nope/ -> /fr/news/nope/.
    """
    translated = translate_url(url, code)
    if translated != url:
        return translated
    parts = urlsplit(url)
    language = get_language_from_path(parts.path)
    if language == code or is_page(parts.path):
        return url  # already in that language, or a page outside the languages (the admin)
    path = parts.path.removeprefix(f"/{language}") if language else parts.path
    return urlunsplit(parts._replace(path=f"/{code}{path}"))


@register.simple_tag(takes_context=True)
def unprefixed_url(context, url):
    """
    The page's address without its language (hreflang x-default): it sends each visitor to
    the language their browser prefers.
    """
    path = context["request"].path
    language = get_language_from_path(path)
    if not language:
        return url
    return url.replace(f"/{language}/", "/", 1)


@register.simple_tag(takes_context=True)
def structured_data(context, *items):
    """
    schema.org data (JSON-LD) of objects that have structured_data(): read by search
    engines, never run by browsers, so the Content-Security-Policy has nothing to allow.
    One object is its own document, several a graph; a list or queryset counts as several.
    """
    absolute = context["request"].build_absolute_uri
    objects = [obj for item in items for obj in (item if hasattr(item, "__iter__") else [item])]
    if not objects:
        return ""
    nodes = [obj.structured_data(absolute_url=absolute) for obj in objects]
    for node in nodes:
        node.pop("@context", None)
    data = nodes[0] if len(nodes) == 1 else {"@graph": nodes}
    return json_ld({"@context": "https://schema.org", **data})


def json_ld(data):
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(JSON_SCRIPT_ESCAPES)),
    )


@register.filter(expects_localtime=True)
def iso8601(value):
    """
    A date or time as a <time datetime> attribute wants it: ISO 8601, a time to the
    second with its offset ("2025-06-12T17:00:00+02:00"), a date alone ("2025-06-12").
    """
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat() if value else ""


@register.filter(expects_localtime=True)
def written_date(value, format_name="DAY_FORMAT"):
    """
    A date as the active language writes it, with one of the named formats of
    taskforce/formats ("DAY_FORMAT": "1 October 2025", "1er octobre 2025"; "MOMENT_FORMAT").
    Pages use it rather than |date, so that each language's rules hold on every page.
    """
    return format_date(value, format_name)


@register.simple_tag
def lang_attr(item, field_name=None):
    """
    ` lang="en"` on what shows `item` (or one of its fields) in English because it is
    not written in the active language yet; nothing when it is.
    """
    if field_name is None:
        written = item.has_translation()
        language = active_language() if written else DEFAULT_LANGUAGE
    else:
        language = item.language_of(field_name)
    return "" if language == active_language() else format_html(' lang="{}"', language)
