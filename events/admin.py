import csv

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from taskforce.admin import VersionedAdmin

from . import services
from .models import Event, OutgoingEmail, Registration

CSV_FIELDS = ["event", "name", "email", "organisation", "status", "consented_at", "created"]
# Saved through services.change_event, which tells registrants and fills freed seats.
SERVICE_FIELDS = (*services.TOLD_FIELDS, "capacity", "status")
CONFIRMED_TELLING = "_confirm_telling"


def spreadsheet_safe(value):
    """Stop spreadsheets from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def registrations_csv(registrations, filename):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_FIELDS)
    for registration in registrations.select_related("event"):
        writer.writerow(
            [
                spreadsheet_safe(registration.event.title),
                spreadsheet_safe(registration.name),
                spreadsheet_safe(registration.email),
                spreadsheet_safe(registration.organisation),
                registration.get_status_display(),
                registration.consented_at.isoformat() if registration.consented_at else "",
                registration.created.isoformat(),
            ]
        )
    return response


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = ["name", "email", "organisation", "status", "created"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["status", "created"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(VersionedAdmin):
    list_display = [
        "title",
        "start",
        "status",
        "capacity",
        "confirmed",
        "waitlisted",
        "registrations_link",
    ]
    list_filter = ["status", "is_online", "all_day", "waiting_list_enabled", "organisers", "start"]
    search_fields = ["title", "summary", "venue_name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["organisers"]
    readonly_fields = ["sequence", "registrations_erased", "created", "updated"]
    actions = ["export_registrations", "promote_waiting", "cancel_events"]
    inlines = [RegistrationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "summary", "body", "organisers"]}),
        ("When", {"fields": ["start", "end", "time_zone", "all_day"]}),
        ("Where", {"fields": ["is_online", "online_url", "venue_name", "venue_address"]}),
        (
            "Registration",
            {
                "fields": [
                    "capacity",
                    "waiting_list_enabled",
                    "registration_opens_at",
                    "registration_closes_at",
                ]
            },
        ),
        (None, {"fields": ["sequence", "registrations_erased", "created", "updated"]}),
    ]
    telling_confirmation_template = "admin/events/event/confirm_telling.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_total=Count(
                    "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
                ),
                waitlisted_total=Count(
                    "registrations",
                    filter=Q(registrations__status=Registration.Status.WAITLISTED),
                ),
            )
        )

    @admin.display(description="confirmed", ordering="confirmed_total")
    def confirmed(self, event):
        return event.confirmed_total

    @admin.display(description="waiting", ordering="waitlisted_total")
    def waitlisted(self, event):
        return event.waitlisted_total

    @admin.display(description="registrations")
    def registrations_link(self, event):
        url = reverse("admin:events_registration_changelist") + f"?event__id__exact={event.pk}"
        return format_html('<a href="{}">View</a>', url)

    def get_inlines(self, request, obj):
        if obj is None or not request.user.has_perm("events.view_registration"):
            return []
        return super().get_inlines(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A change that emails registrants is saved only once staff confirm it."""
        if (
            request.method == "POST"
            and object_id
            and CONFIRMED_TELLING not in request.POST
            and "_saveasnew" not in request.POST
        ):
            confirmation = self.telling_confirmation(request, unquote(object_id))
            if confirmation is not None:
                return confirmation
        return super().changeform_view(request, object_id, form_url, extra_context)

    def telling_confirmation(self, request, object_id):
        """The page saying who the change will email, or None when it emails nobody."""
        event = self.get_object(request, object_id)
        if event is None or not self.has_change_permission(request, event):
            return None
        stored = Event.objects.get(pk=event.pk)
        form = self.get_form(request, event, change=True)(
            request.POST, request.FILES, instance=event
        )
        if not form.is_valid():
            return None
        told = services.people_to_tell(event=stored, **service_changes(event))
        counts = told.aggregate(
            confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        )
        if not any(counts.values()):
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Email the registrants about this change?",
            "opts": self.opts,
            "event": stored,
            "changes": describe_changes(stored, event),
            "cancelling": stored.status != event.status == Event.Status.CANCELLED,
            "post_data": [
                (name, value)
                for name in request.POST
                if name != "csrfmiddlewaretoken"
                for value in request.POST.getlist(name)
            ],
            "confirm_name": CONFIRMED_TELLING,
            **counts,
        }
        return TemplateResponse(request, self.telling_confirmation_template, context)

    def save_model(self, request, obj, form, change):
        """
        The time, place, online link, capacity and status go through the service, which
        raises the sequence, emails the people concerned and promotes into new seats.
        """
        if not change:
            super().save_model(request, obj, form, change)
            return
        changes = service_changes(obj)
        stored = Event.objects.get(pk=obj.pk)
        other_fields = [
            field.name
            for field in Event._meta.concrete_fields
            if field.name in form.fields and field.name not in SERVICE_FIELDS
        ]
        obj.save(update_fields=[*other_fields, "updated"])
        result = services.change_event(event=stored, **changes)
        if result.told:
            self.message_user(request, f"{len(result.told)} people emailed about the change.")
        if result.promoted:
            promoted = len(result.promoted)
            self.message_user(
                request, f"{promoted} people promoted from the waiting list and emailed."
            )
        if result.cancelled:
            self.message_user(
                request,
                f"Event cancelled; {len(result.cancelled)} people emailed.",
                messages.WARNING,
            )

    @admin.action(description="Export registrations as CSV", permissions=["view_registrations"])
    def export_registrations(self, request, queryset):
        registrations = Registration.objects.filter(event__in=queryset).order_by(
            "event__start", "created"
        )
        return registrations_csv(registrations, "registrations.csv")

    @admin.action(
        description="Promote from the waiting list into free seats", permissions=["change"]
    )
    def promote_waiting(self, request, queryset):
        promoted = sum(len(services.promote_from_waiting_list(event=event)) for event in queryset)
        self.message_user(request, f"{promoted} people promoted from the waiting list and emailed.")

    @admin.action(description="Cancel events and email everyone registered", permissions=["change"])
    def cancel_events(self, request, queryset):
        emailed = sum(len(services.cancel_event(event=event)) for event in queryset)
        self.message_user(
            request,
            f"{queryset.count()} events cancelled; {emailed} people emailed.",
            messages.WARNING,
        )

    def has_view_registrations_permission(self, request):
        return request.user.has_perm("events.view_registration")


def service_changes(event):
    return {name: getattr(event, name) for name in SERVICE_FIELDS}


def describe_changes(before, after):
    """(what, before, after) for each change registrants are told of, as emails word it."""
    rows = []
    if any(getattr(before, name) != getattr(after, name) for name in services.TIME_FIELDS):
        rows.append(("When", before.when, after.when))
    if any(getattr(before, name) != getattr(after, name) for name in services.PLACE_FIELDS):
        rows.append(("Where", before.where, after.where))
    if before.online_url != after.online_url:
        rows.append(("Online link", before.online_url, after.online_url))
    if before.status != after.status:
        rows.append(("Status", before.get_status_display(), after.get_status_display()))
    return rows


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "event", "status", "created"]
    list_filter = ["status", "event"]
    search_fields = ["name", "email", "organisation", "event__title"]
    list_select_related = ["event"]
    readonly_fields = ["event", "status", "consent", "consented_at", "created", "updated"]
    fields = ["event", "name", "email", "organisation", "status", "consent", "consented_at"]
    actions = ["export_csv", "cancel_registrations"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        """People register on the site, which applies the seat and waiting-list rules."""
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return registrations_csv(queryset.order_by("event__start", "created"), "registrations.csv")

    @admin.action(
        description="Cancel selected registrations and email them", permissions=["change"]
    )
    def cancel_registrations(self, request, queryset):
        promoted = 0
        cancelled = 0
        for registration in queryset.live():
            promoted += len(services.cancel_registration(registration=registration))
            cancelled += 1
        self.message_user(
            request, f"{cancelled} registrations cancelled; {promoted} people promoted."
        )


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["kind", "to", "subject", "created", "sent_at", "attempts"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["to", "subject"]
    fields = [
        "kind",
        "to",
        "subject",
        "registration",
        "created",
        "sent_at",
        "attempts",
        "last_error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
