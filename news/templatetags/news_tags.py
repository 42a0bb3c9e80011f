import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from news.models import Article

register = template.Library()


@register.inclusion_tag("news/includes/latest_articles.html")
def latest_articles(count=3):
    return {"articles": Article.objects.published().for_lists()[:count]}


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """A full URL for a path; an address already full (media in object storage) as it is."""
    return context["request"].build_absolute_uri(url)


JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def article_json_ld(context, article):
    """schema.org NewsArticle data: read by search engines, never executed by browsers."""
    request = context["request"]
    data = article.structured_data(absolute_url=request.build_absolute_uri)
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(JSON_SCRIPT_ESCAPES)),
    )
