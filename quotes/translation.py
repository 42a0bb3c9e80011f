from modeltranslation.translator import TranslationOptions, register

from .models import Person, Quote


@register(Person)
class PersonTranslation(TranslationOptions):
    fields = ("role",)


@register(Quote)
class QuoteTranslation(TranslationOptions):
    fields = ("text", "speaker_role")
    required_languages = {"en": ("text",)}
