from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry

from .models import Organisation

admin.site.site_header = "Joint Task Force administration"
admin.site.site_title = "Joint Task Force admin"
admin.site.index_title = "Content and events"
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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "website"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
