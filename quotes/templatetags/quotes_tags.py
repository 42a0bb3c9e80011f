from django import template

from quotes.models import Quote

register = template.Library()


@register.inclusion_tag("quotes/includes/featured_quotes.html")
def featured_quotes(count=3):
    quotes = Quote.objects.public().featured().select_related("person__organisation")
    return {"quotes": quotes[:count]}


@register.inclusion_tag("quotes/includes/article_quotes.html")
def article_quotes(article):
    """The quotes an article carries; news pages show them without news knowing about quotes."""
    return {"quotes": article.quotes.select_related("person__organisation")}
