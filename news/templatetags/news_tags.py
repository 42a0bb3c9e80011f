from django import template

from news.models import Article

register = template.Library()


@register.inclusion_tag("news/includes/latest_articles.html")
def latest_articles(count=3):
    return {"articles": Article.objects.published().for_lists()[:count]}
