import reversion
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from reversion.admin import VersionAdmin
from reversion.models import Version

from .images import UploadedImageField, stored_file_exists
from .languages import columns_in_each_language
from .models import Organisation
from .versions import field_changes

# The admin's page titles, which Django's French writes "Ajout de %s": wrong before a
# name that starts with a vowel (événement, article, inscription). Ours read right before
# any name; LOCALE_PATHS comes before Django's own catalogue.
gettext_noop("Add %s")
gettext_noop("Change %s")
gettext_noop("View %s")

admin.site.site_header = _("Joint Task Force administration")
admin.site.site_title = _("Joint Task Force admin")
admin.site.index_title = _("Content and events")
# Lists get the whole width of a 1280 px screen; the breadcrumbs lead back to every list.
admin.site.enable_nav_sidebar = False


def record_in_history(request, objects, message):
    """
    An entry in the admin history of each object a bulk action changed: who, when and
    what, as the change form records its own saves.
    """
    objects = list(objects)
    if objects:
        LogEntry.objects.log_actions(
            user_id=request.user.pk, queryset=objects, action_flag=CHANGE, change_message=message
        )
        keep_versions(request, objects, message)


def keep_versions(request, objects, message):
    """
    A version of each versioned object, as it now stands in the database: a bulk action
    updates rows without saving them, so no revision would hold them otherwise.
    """
    model = type(objects[0])
    if not reversion.is_registered(model):
        return
    fresh = model._base_manager.filter(pk__in=[obj.pk for obj in objects])
    if reversion.is_active():
        for obj in fresh:
            reversion.add_to_revision(obj)
        reversion.set_comment(message)
        return
    with reversion.create_revision():
        reversion.set_user(request.user)
        reversion.set_comment(message)
        for obj in fresh:
            reversion.add_to_revision(obj)


def saved_at(version):
    return formats.date_format(timezone.localtime(version.revision.date_created), "j F Y, H:i T")


def describe_version(version, by=True):
    """ "the version saved 14 October 2020, 14:00 UTC by editor", as the comparison names it."""
    user = version.revision.user
    if by and user:
        return gettext("the version saved %(when)s by %(user)s") % {
            "when": saved_at(version),
            "user": user.get_username(),
        }
    return gettext("the version saved %(when)s") % {"when": saved_at(version)}


class VersionedAdmin(TranslationAdmin, VersionAdmin):
    """
    Every save from the admin keeps a version (django-reversion). The history lists
    them, compares any two field by field and restores one. Each translated field is
    edited in English and French one under the other (django-modeltranslation).
    """

    object_history_template = "admin/versions/object_history.html"
    revision_form_template = "admin/versions/revision_form.html"
    history_latest_first = True

    def __init__(self, model, admin_site):
        # Registered on its own, without following inlines: an event's history never
        # holds its registrants, whose data is purged on schedule.
        if not reversion.is_registered(model):
            reversion.register(model)
        super().__init__(model, admin_site)

    def get_urls(self):
        opts = self.model._meta
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name=f"{opts.app_label}_{opts.model_name}_compare",
        )
        return [compare, *super().get_urls()]

    def history_view(self, request, object_id, extra_context=None):
        opts = self.model._meta
        versions = self.versions_of(unquote(object_id)).order_by("-pk")
        action_list = [
            {
                "version_id": version.pk,
                "revision": version.revision,
                "url": reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_revision",
                    args=[quote(version.object_id), version.pk],
                ),
            }
            for version in versions
        ]
        context = {"action_list": action_list, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def versions_of(self, object_id):
        return Version.objects.get_for_object_reference(self.model, object_id).select_related(
            "revision__user"
        )

    def compare_view(self, request, object_id):
        object_id = unquote(object_id)
        obj = get_object_or_404(self.model._base_manager, pk=object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        history_url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_history", args=[quote(object_id)]
        )
        versions = self.versions_of(object_id)
        chosen = [request.GET.get("from", ""), request.GET.get("to", "")]
        if not all(pk.isdigit() for pk in chosen) or chosen[0] == chosen[1]:
            messages.warning(request, gettext("Choose two different versions to compare."))
            return redirect(history_url)
        found = {version.pk: version for version in versions.filter(pk__in=chosen)}
        if len(found) != 2:
            messages.warning(request, gettext("Those versions are not versions of this item."))
            return redirect(history_url)
        old, new = sorted(found.values(), key=lambda version: version.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "object": obj,
            "title": gettext("Compare versions of %(item)s") % {"item": obj},
            "from_label": describe_version(old),
            "to_label": describe_version(new),
            "changes": field_changes(self.model, old.field_dict, new.field_dict),
            "back_url": history_url,
            "back_label": gettext("Back to the history"),
            "back_crumb": gettext("History"),
            "restore_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_revision",
                args=[quote(object_id), old.pk],
            ),
            "restore_label": gettext("Restore the older version (%(version)s)")
            % {"version": describe_version(old, by=False)},
        }
        return TemplateResponse(request, "admin/versions/compare.html", context)

    # Restoring a version: the change form filled with it. Saving it is an edit like any
    # other, so whatever saving does (telling an event's registrants of a new time) happens.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        version = get_object_or_404(self.versions_of(unquote(object_id)), pk=version_id)
        request.restoring_version = version
        context = {
            "title": gettext("Restore %(item)s") % {"item": version.object_repr},
            "revert": True,
            **(extra_context or {}),
        }
        with self.create_revision(request):
            response = self.changeform_view(request, object_id, request.path, context)
            if request.method == "POST" and response.status_code == 302:
                reversion.set_comment(
                    gettext("Restored the version saved %(when)s.") % {"when": saved_at(version)}
                )
        context_data = getattr(response, "context_data", None) or {}
        if "adminform" in context_data and not response.is_rendered:
            response.template_name = self.revision_form_template
        return response

    def recover_view(self, request, version_id, extra_context=None):
        request.recovering_version = True
        return super().recover_view(request, version_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            return None
        version = getattr(request, "restoring_version", None)
        if version is not None:
            self._fill_with_version(request, obj, version.field_dict)
        elif getattr(request, "recovering_version", False):
            for field in self._image_fields():
                if getattr(obj, field.name) and not stored_file_exists(getattr(obj, field.name)):
                    self._clear_image(obj, field)
                    self._say_image_is_gone(request, field, kept=False)
        return obj

    def _image_fields(self):
        return [f for f in self.model._meta.fields if isinstance(f, UploadedImageField)]

    def _fill_with_version(self, request, obj, values):
        """Put the version's values of the fields this form edits on `obj` (in memory)."""
        images = self._image_fields()
        on_the_form = set(flatten_fieldsets(self.get_fieldsets(request, obj))) - set(
            self.get_readonly_fields(request, obj)
        )
        for field in self.model._meta.concrete_fields:
            if field.name not in on_the_form or field.attname not in values:
                continue
            if field in images:
                self._restore_image(request, obj, field, values)
            else:
                setattr(obj, field.attname, values[field.attname])
        cache = obj.__dict__.setdefault("_prefetched_objects_cache", {})
        for field in self.model._meta.many_to_many:
            if field.name in on_the_form and field.attname in values:
                related = field.related_model._base_manager.filter(pk__in=values[field.attname])
                cache[field.name] = related

    def _restore_image(self, request, obj, field, values):
        """A version may name an image deleted since it was replaced: then keep the current one."""
        old = values[field.attname]
        name = getattr(old, "name", old) or ""
        if name == getattr(obj, field.attname).name:
            return
        if name and not stored_file_exists(old):
            self._say_image_is_gone(request, field, kept=bool(getattr(obj, field.attname)))
            return
        if not name:
            self._clear_image(obj, field)
            return
        setattr(obj, field.attname, name)
        for dimension in (field.width_field, field.height_field):
            setattr(obj, dimension, values.get(dimension))

    @staticmethod
    def _clear_image(obj, field):
        setattr(obj, field.attname, "")
        for dimension in (field.width_field, field.height_field):
            setattr(obj, dimension, None)

    @staticmethod
    def _say_image_is_gone(request, field, *, kept):
        if request.method == "GET":
            params = {"field": field.verbose_name}
            messages.warning(
                request,
                gettext(
                    "The %(field)s of this version is no longer stored (it was replaced or "
                    "removed since); the current one is kept."
                )
                % params
                if kept
                else gettext(
                    "The %(field)s of this version is no longer stored (it was replaced or "
                    "removed since); it is left empty."
                )
                % params,
            )


@admin.register(Organisation)
class OrganisationAdmin(TranslationAdmin):
    list_display = ["short_name", "name", "website", "founded_the_task_force"]
    search_fields = columns_in_each_language("name", "short_name")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    prepopulated_fields = {"slug": ["short_name"]}
    fields = ["name", "short_name", "slug", "website", "description", "founded_the_task_force"]
    view_on_site = True
