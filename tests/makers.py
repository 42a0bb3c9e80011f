"""Small helpers that make valid content with sensible defaults."""

import itertools
from datetime import timedelta

from django.utils import timezone

from news.models import Article, Topic
from quotes.models import Person, Quote

_numbers = itertools.count(1)


def make_topic(**fields):
    number = next(_numbers)
    fields = {"name": f"Topic {number}", "slug": f"topic-{number}", **fields}
    return Topic.objects.create(**fields)


def make_article(*, topics=(), organisations=(), **fields):
    number = next(_numbers)
    fields = {
        "title": f"Article {number}",
        "slug": f"article-{number}",
        "summary": f"Summary of article {number}.",
        "body": f"<p>Body of article {number}.</p>",
        "status": Article.Status.PUBLISHED,
        "publish_at": timezone.now() - timedelta(hours=1),
        **fields,
    }
    article = Article.objects.create(**fields)
    article.topics.set(topics)
    article.organisations.set(organisations)
    return article


def make_person(**fields):
    number = next(_numbers)
    fields = {"name": f"Person {number}", "slug": f"person-{number}", "role": "Speaker", **fields}
    return Person.objects.create(**fields)


def make_quote(**fields):
    number = next(_numbers)
    if "person" not in fields:
        fields["person"] = make_person()
    fields = {"text": f"Quotation number {number}.", **fields}
    return Quote.objects.create(**fields)
