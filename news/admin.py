import base64
import hashlib
import re

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import importmap

from taskforce.admin import VersionedAdmin, record_in_history
from taskforce.images import admin_preview, admin_thumbnail
from taskforce.languages import columns_in_each_language
from taskforce.versions import compared_fields, field_changes, field_values

from .models import Article, ArticleDraft, EmbargoLink, Topic

DRAFT_BUTTON = "_save_draft"


def saving_draft(data):
    return DRAFT_BUTTON in data


@admin.register(Topic)
class TopicAdmin(VersionedAdmin):
    list_display = ["name", "slug"]
    search_fields = columns_in_each_language("name")
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


def when(moment):
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i T")


class SavedWithTheArticleFormSet(BaseInlineFormSet):
    """Inline rows are saved with the live article; draft changes hold the article alone."""

    def clean(self):
        super().clean()
        if saving_draft(self.data) and self.has_changed():
            name = self.model._meta.verbose_name_plural
            raise ValidationError(
                gettext(
                    "%(items)s are not part of draft changes: save them with Save (they apply "
                    "at once), or undo these changes before saving draft changes."
                )
                % {"items": str(name).capitalize()}
            )


class ArticleAdminForm(forms.ModelForm):
    changes_publish_at = forms.SplitDateTimeField(
        label=_("Publish the draft changes at"),
        required=False,
        widget=widgets.AdminSplitDateTime,
        help_text=_(
            "With “Save as draft changes”: the changes go live at this time. "
            "Blank: they wait until you publish them with Save."
        ),
    )
    # What draft changes leave alone: they change what the article says, not where or when.
    NOT_IN_DRAFTS = ["slug", "status", "publish_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        draft = getattr(self.instance, "editing_draft", None)
        if draft is not None and "changes_publish_at" in self.fields:
            self.fields["changes_publish_at"].initial = draft.publish_at

    def clean(self):
        cleaned = super().clean()
        scheduled = cleaned.get("changes_publish_at")
        if saving_draft(self.data):
            for name in self.NOT_IN_DRAFTS:
                if name in self.changed_data:
                    self.add_error(
                        name,
                        gettext(
                            "Draft changes hold what the article says and shows; change this "
                            "with Save (it applies at once), or undo it."
                        ),
                    )
            if scheduled and scheduled <= timezone.now():
                self.add_error(
                    "changes_publish_at",
                    gettext(
                        "Choose a time in the future, or leave it blank to publish the changes "
                        "yourself."
                    ),
                )
            return cleaned
        if scheduled and "changes_publish_at" in self.changed_data:
            self.add_error(
                "changes_publish_at",
                gettext(
                    "Save publishes the changes now; to schedule them, use Save as draft changes."
                ),
            )
        self._publish_now_rather_than_backdated(cleaned)
        return cleaned

    def _publish_now_rather_than_backdated(self, cleaned):
        """A draft published with the publish time it was created with appears now."""
        publishing = (
            cleaned.get("status") == Article.Status.PUBLISHED
            and self.initial.get("status") != Article.Status.PUBLISHED
        )
        publish_at = cleaned.get("publish_at")
        if publishing and publish_at and "publish_at" not in self.changed_data:
            cleaned["publish_at"] = max(publish_at, timezone.now().replace(microsecond=0))


class EmbargoLinkForm(forms.ModelForm):
    revoke = forms.BooleanField(
        label=_("Revoke"),
        required=False,
        help_text=_("The link stops working at once and says it was withdrawn."),
    )

    class Meta:
        model = EmbargoLink
        fields = ["recipient", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.revoked_at:
            self.fields["revoke"].initial = True
            self.fields["revoke"].disabled = True

    def save(self, commit=True):
        if self.cleaned_data.get("revoke") and not self.instance.revoked_at:
            self.instance.revoked_at = timezone.now()
        return super().save(commit)


class EmbargoLinkInline(admin.TabularInline):
    model = EmbargoLink
    form = EmbargoLinkForm
    formset = SavedWithTheArticleFormSet
    extra = 0
    fields = ["recipient", "expires_at", "address", "opened", "link_state", "revoke"]
    readonly_fields = ["address", "opened", "link_state"]
    verbose_name_plural = _("Embargo links (private previews for journalists before publication)")

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the record of who had the article stays

    @admin.display(description=_("private address"))
    def address(self, link):
        if not link.pk:
            return gettext("Made when you save.")
        return format_html('<code class="embargo-address">{}</code>', link.address)

    @admin.display(description=_("opened"))
    def opened(self, link):
        if not link.open_count:
            return gettext("never")
        return ngettext(
            "%(count)d time, last %(when)s",
            "%(count)d times, last %(when)s",
            link.open_count,
        ) % {"count": link.open_count, "when": when(link.last_opened_at)}

    @admin.display(description=_("state"))
    def link_state(self, link):
        if not link.pk:
            return "—"
        state = link.state()
        if state == "revoked" and link.revoked_at:
            return gettext("revoked %(when)s") % {"when": when(link.revoked_at)}
        return {
            "revoked": gettext("revoked"),
            "published": gettext("article published: opens the public page"),
            "expired": gettext("expired"),
            "active": gettext("active"),
        }[state]


@admin.register(Article)
class ArticleAdmin(VersionedAdmin):
    form = ArticleAdminForm
    list_display = ["thumbnail", "title", "state", "publish_at", "is_live"]
    list_display_links = ["thumbnail", "title"]
    list_filter = ["status", "publish_at", "topics", "organisations"]
    list_select_related = ["draft"]
    search_fields = columns_in_each_language("title", "summary", "body")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics", "organisations"]
    actions = ["publish", "unpublish"]
    readonly_fields = ["created", "updated", "image_preview"]
    inlines = [EmbargoLinkInline]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["title", "slug", "summary", "body"]}),
            (_("Publishing"), {"fields": ["status", "publish_at", "created", "updated"]}),
        ]
        if self._can_save_draft(request, obj):
            fieldsets.append(
                (
                    _("Draft changes"),
                    {
                        "fields": ["changes_publish_at"],
                        "description": _(
                            "This article is live. “Save” changes the public page at once; "
                            "“Save as draft changes” keeps your changes aside, to preview and "
                            "publish later or at a time you choose."
                        ),
                    },
                )
            )
        fieldsets += [
            (_("Filing"), {"fields": ["topics", "organisations"]}),
            (_("Image"), {"fields": ["image", "image_preview", "image_alt"]}),
        ]
        return self._patch_fieldsets(fieldsets)

    def get_inlines(self, request, obj):
        """Embargo links are made for an article that exists."""
        inlines = super().get_inlines(request, obj)
        return [inline for inline in inlines if obj is not None or inline is not EmbargoLinkInline]

    def _can_save_draft(self, request, obj):
        return (
            obj is not None
            and not getattr(request, "restoring_version", False)
            and (obj.is_live or getattr(obj, "editing_draft", None) is not None)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        request.editing_draft_changes = True
        return super().change_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        """On the change form, the article with its draft changes, if any: it edits those."""
        article = super().get_object(request, object_id, from_field)
        if article is None or not getattr(request, "editing_draft_changes", False):
            return article
        draft = ArticleDraft.objects.filter(article=article).first()
        if draft is None:
            return article
        draft.article = article
        with_changes = draft.as_article()
        with_changes.editing_draft = draft
        return with_changes

    def changeform_view(self, request, *args, **kwargs):
        relaxed = {"script-src": [editor_importmap_source()], "style-src": [UNSAFE_INLINE]}
        view = csp_update(relaxed)(super().changeform_view)
        return view(request, *args, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        draft = getattr(obj, "editing_draft", None)
        context.update(
            can_save_draft=self._can_save_draft(request, obj),
            editing_draft=draft,
        )
        if draft is not None:
            context.update(
                draft_saved=when(draft.saved_at),
                draft_scheduled=when(draft.publish_at) if draft.publish_at else "",
                preview_url=reverse("admin:news_article_draft_preview", args=[obj.pk]),
                draft_compare_url=reverse("admin:news_article_draft_compare", args=[obj.pk]),
                discard_url=reverse("admin:news_article_draft_discard", args=[obj.pk]),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if change and saving_draft(request.POST) and self._can_save_draft(request, obj):
            obj.saved_draft = ArticleDraft.save_changes(
                article=obj,
                topics=form.cleaned_data["topics"],
                organisations=form.cleaned_data["organisations"],
                publish_at=form.cleaned_data.get("changes_publish_at"),
                user=request.user,
            )
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(form.instance, "saved_draft", None):
            return  # the inlines are unchanged (SavedWithTheArticleFormSet) and the m2m drafted
        super().save_related(request, form, formsets, change)
        draft = getattr(form.instance, "editing_draft", None)
        if draft is not None:
            draft.delete()
            messages.success(request, gettext("The draft changes are now on the public page."))

    def save_formset(self, request, form, formset, change):
        if formset.model is EmbargoLink:
            for link_form in formset.forms:
                if link_form.instance.pk is None and link_form.has_changed():
                    link_form.instance.created_by = request.user
        super().save_formset(request, form, formset, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(form.instance, "saved_draft", None):
            changed = ", ".join(str(form.fields[name].label) for name in form.changed_data)
            return gettext("Saved draft changes, not yet public: %(fields)s") % {
                "fields": changed or gettext("no field")
            }
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request, obj):
        draft = getattr(obj, "saved_draft", None)
        if draft is None:
            return super().response_change(request, obj)
        preview = reverse("admin:news_article_draft_preview", args=[obj.pk])
        timing = (
            gettext("They go live on %(when)s.") % {"when": when(draft.publish_at)}
            if draft.publish_at
            else gettext("Publish them with Save when they are ready.")
        )
        self.message_user(
            request,
            format_html(
                gettext(
                    "Draft changes saved; the public page is unchanged. "
                    '<a href="{preview_url}">Preview them</a>. {timing}'
                ),
                preview_url=preview,
                timing=timing,
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(request.path)

    # Draft changes: preview and discard.

    def get_urls(self):
        admin_view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/draft/preview/",
                admin_view(self.draft_preview_view),
                name="news_article_draft_preview",
            ),
            path(
                "<path:object_id>/draft/compare/",
                admin_view(self.draft_compare_view),
                name="news_article_draft_compare",
            ),
            path(
                "<path:object_id>/draft/discard/",
                admin_view(self.draft_discard_view),
                name="news_article_draft_discard",
            ),
            *super().get_urls(),
        ]

    def _draft_of(self, request, object_id, permission):
        article = get_object_or_404(Article, pk=unquote(object_id))
        if not permission(request, article):
            raise PermissionDenied
        draft = ArticleDraft.objects.filter(article=article).first()
        if draft is None:
            raise Http404(gettext("This article has no draft changes."))
        draft.article = article
        return draft

    def draft_preview_view(self, request, object_id):
        """The public page as it will be once the draft changes are published."""
        draft = self._draft_of(request, object_id, self.has_view_or_change_permission)
        article = draft.as_article()
        response = TemplateResponse(
            request,
            "news/article_detail.html",
            {
                "article": article,
                "previewing_draft": draft,
                "canonical_path": article.get_absolute_url(),
            },
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response  # admin_view() marks every admin page never_cache

    def draft_compare_view(self, request, object_id):
        """What the draft changes change, field by field, against the public article."""
        draft = self._draft_of(request, object_id, self.has_view_or_change_permission)
        fields = compared_fields(Article)
        live = draft.article
        change_url = reverse("admin:news_article_change", args=[live.pk])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": live,
            "title": gettext("Draft changes to %(article)s") % {"article": live},
            "from_label": gettext("the published article"),
            "to_label": gettext("the draft changes saved %(when)s")
            % {"when": when(draft.saved_at)},
            "changes": field_changes(
                Article, field_values(live, fields), field_values(draft.as_article(), fields)
            ),
            "back_url": change_url,
            "back_label": gettext("Back to the draft changes"),
            "back_crumb": gettext("Draft changes"),
        }
        return TemplateResponse(request, "admin/versions/compare.html", context)

    def draft_discard_view(self, request, object_id):
        draft = self._draft_of(request, object_id, self.has_change_permission)
        change_url = reverse("admin:news_article_change", args=[draft.article.pk])
        if request.method == "POST":
            draft.delete()
            self.log_change(request, draft.article, gettext("Discarded the draft changes."))
            self.message_user(
                request, gettext("The draft changes were discarded."), messages.SUCCESS
            )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": draft.article,
            "draft_saved": when(draft.saved_at),
            "title": gettext("Discard the draft changes?"),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/news/article/discard_draft.html", context)

    # The list.

    @admin.display(description=_("image"))
    def thumbnail(self, article):
        return admin_thumbnail(article.image, article.image_thumbnail)

    @admin.display(description=_("image as shown on the site"))
    def image_preview(self, article):
        return admin_preview(
            article.picture, width=article.image_width, height=article.image_height
        )

    @admin.display(description=_("state"), ordering="status")
    def state(self, article):
        if article.status == Article.Status.DRAFT:
            return gettext("Draft")
        if article.is_scheduled:
            return gettext("Scheduled for %(when)s") % {"when": when(article.publish_at)}
        draft = article.pending_draft
        if draft is None:
            return gettext("Published")
        if draft.publish_at:
            return gettext("Published; changes scheduled for %(when)s") % {
                "when": when(draft.publish_at)
            }
        return gettext("Published; draft changes waiting")

    @admin.display(boolean=True, description=_("live on the site"))
    def is_live(self, article):
        return article.is_live

    @admin.action(description=_("Publish the selected articles (scheduled ones at their time)"))
    def publish(self, request, queryset):
        drafts = list(queryset.exclude(status=Article.Status.PUBLISHED))
        count = Article.objects.filter(pk__in=[article.pk for article in drafts]).publish()
        record_in_history(request, drafts, gettext("Published (list action)."))
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected articles (back to draft)"))
    def unpublish(self, request, queryset):
        published = list(queryset.filter(status=Article.Status.PUBLISHED))
        count = Article.objects.filter(pk__in=[article.pk for article in published]).unpublish()
        record_in_history(request, published, gettext("Returned to draft (list action)."))
        self.message_user(
            request,
            ngettext("%d article returned to draft.", "%d articles returned to draft.", count)
            % count,
            messages.SUCCESS,
        )
