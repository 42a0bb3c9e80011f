import base64
import hashlib
import re

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin, messages
from django.utils.translation import ngettext
from django_prose_editor.widgets import importmap

from taskforce.admin import record_in_history

from .models import Article, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


def editor_importmap_source():
    """The CSP hash of the rich-text editor's inline import map, the only inline script it needs.

    The site allows no inline script; this lets exactly that one block run, on the article
    form only, instead of relaxing the policy for the whole admin. The editor also injects
    its base stylesheet as an inline style, so that form alone allows inline styles.
    """
    content = re.search(r"<script[^>]*>(.*)</script>", importmap.render(), re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(content.encode()).digest()).decode()
    return f"'sha256-{digest}'"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "publish_at", "is_live"]
    list_filter = ["status", "publish_at", "topics", "organisations"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics", "organisations"]
    actions = ["publish", "unpublish"]
    readonly_fields = ["created", "updated"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        ("Publishing", {"fields": ["status", "publish_at", "created", "updated"]}),
        ("Filing", {"fields": ["topics", "organisations"]}),
        ("Image", {"fields": ["image", "image_alt"], "classes": ["collapse"]}),
    ]

    def changeform_view(self, request, *args, **kwargs):
        relaxed = {"script-src": [editor_importmap_source()], "style-src": [UNSAFE_INLINE]}
        view = csp_update(relaxed)(super().changeform_view)
        return view(request, *args, **kwargs)

    @admin.display(boolean=True, description="live on the site")
    def is_live(self, article):
        return article.is_live

    @admin.action(description="Publish the selected articles (scheduled ones at their time)")
    def publish(self, request, queryset):
        drafts = list(queryset.exclude(status=Article.Status.PUBLISHED))
        count = Article.objects.filter(pk__in=[article.pk for article in drafts]).publish()
        record_in_history(request, drafts, "Published (list action).")
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish the selected articles (back to draft)")
    def unpublish(self, request, queryset):
        published = list(queryset.filter(status=Article.Status.PUBLISHED))
        count = Article.objects.filter(pk__in=[article.pk for article in published]).unpublish()
        record_in_history(request, published, "Returned to draft (list action).")
        self.message_user(
            request,
            ngettext("%d article returned to draft.", "%d articles returned to draft.", count)
            % count,
            messages.SUCCESS,
        )
