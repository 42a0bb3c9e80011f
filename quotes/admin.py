"""Admin for people and quotes, and the quotes inline on the article form.

news must not depend on quotes, so news.admin knows nothing of quotes: this module
takes the article admin that news registered and registers it again with the quotes
inline added. Without the quotes app, articles keep their plain admin.
"""

from django.contrib import admin

from news.admin import ArticleAdmin
from news.models import Article

from .models import Person, Quote


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "role"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation"]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "person", "article", "featured", "order"]
    list_editable = ["featured", "order"]
    list_filter = ["featured", "person"]
    search_fields = ["text", "person__name"]
    autocomplete_fields = ["person", "article"]
    list_select_related = ["person", "article"]


class QuoteInline(admin.StackedInline):
    model = Quote
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["text", "person", "speaker_role", "featured", "order"]


admin.site.unregister(Article)


@admin.register(Article)
class ArticleWithQuotesAdmin(ArticleAdmin):
    inlines = [*ArticleAdmin.inlines, QuoteInline]
