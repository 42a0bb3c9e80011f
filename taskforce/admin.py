from django.contrib import admin

from .models import Organisation

admin.site.site_header = "Joint Task Force administration"
admin.site.site_title = "Joint Task Force admin"
admin.site.index_title = "Content and events"


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "website"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
