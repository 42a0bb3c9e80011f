from modeltranslation.translator import TranslationOptions, register

from .models import Organisation


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    # The short name too: ITU is UIT in French (ISO, IEC and WSC stay as they are, so
    # their French is left blank and reads as the English).
    fields = ("name", "short_name", "description")
    required_languages = {"en": ("name", "short_name")}
    # Unique in each language: a French left blank is stored as NULL, which never
    # collides with another blank (an empty string would).
    empty_values = {"name": None, "short_name": None}
