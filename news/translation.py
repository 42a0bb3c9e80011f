from modeltranslation.translator import TranslationOptions, register

from .models import Article, ArticleDraft, Topic


class ArticleContentTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "image_alt")
    required_languages = {"en": ("title", "summary", "body")}


@register(Article)
class ArticleTranslation(ArticleContentTranslation):
    pass


@register(ArticleDraft)
class ArticleDraftTranslation(ArticleContentTranslation):
    pass


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = {"en": ("name",)}
