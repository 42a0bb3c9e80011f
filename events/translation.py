from modeltranslation.translator import TranslationOptions, register

from .models import Event


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "venue_name", "image_alt")
    required_languages = {"en": ("title", "summary")}
