"""Admin for people and quotes, and the quotes inline on the article form.

news must not depend on quotes, so news.admin knows nothing of quotes: this module
takes the article admin that news registered and registers it again with the quotes
inline added. Without the quotes app, articles keep their plain admin.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from news.admin import ArticleAdmin, SavedWithTheArticleFormSet
from news.models import Article
from taskforce.admin import VersionedAdmin
from taskforce.images import admin_preview, admin_thumbnail
from taskforce.languages import columns_in_each_language

from .models import Person, Quote


@admin.register(Person)
class PersonAdmin(VersionedAdmin):
    list_display = ["thumbnail", "name", "role", "organisation"]
    list_display_links = ["thumbnail", "name"]
    list_filter = ["organisation"]
    search_fields = ["name", *columns_in_each_language("role")]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation"]
    fields = ["name", "slug", "role", "organisation", "photo", "photo_preview", "photo_alt"]
    readonly_fields = ["photo_preview"]

    @admin.display(description=_("photo"))
    def thumbnail(self, person):
        return admin_thumbnail(person.photo, person.photo_thumbnail)

    @admin.display(description=_("photo as shown on the site"))
    def photo_preview(self, person):
        return admin_preview(person.picture, width=person.photo_width, height=person.photo_height)


@admin.register(Quote)
class QuoteAdmin(VersionedAdmin):
    list_display = ["__str__", "person", "article", "featured", "order"]
    list_editable = ["featured", "order"]
    list_filter = ["featured", "person"]
    search_fields = [*columns_in_each_language("text"), "person__name"]
    autocomplete_fields = ["person", "article"]
    list_select_related = ["person", "article"]


class QuoteInline(TranslationStackedInline):
    model = Quote
    formset = SavedWithTheArticleFormSet
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["text", "person", "speaker_role", "featured", "order"]


admin.site.unregister(Article)


@admin.register(Article)
class ArticleWithQuotesAdmin(ArticleAdmin):
    inlines = [*ArticleAdmin.inlines, QuoteInline]
