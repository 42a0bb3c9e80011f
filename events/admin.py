import csv
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from taskforce.admin import VersionedAdmin, record_in_history
from taskforce.images import admin_preview
from taskforce.languages import columns_in_each_language

from . import services
from .admin_forms import EventAdminForm, RegistrationAdminForm
from .emails import describe_wait, outbox_status
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


def people_text(count):
    return ngettext("%d person", "%d people", count) % count


def promoted_message(count, *, short=False):
    if short:
        return ngettext("%d person promoted", "%d people promoted", count) % count
    return (
        ngettext(
            "%d person promoted from the waiting list and emailed.",
            "%d people promoted from the waiting list and emailed.",
            count,
        )
        % count
    )


def short_day(day):
    """ "14 Oct 2020", "14 oct. 2020": the month abbreviated as each language does."""
    return formats.date_format(day, pgettext("short date in admin lists", "j M Y"))


def list_when(event):
    """The event's dates and times in its zone, short enough for the list of events."""
    if event.all_day:
        first, last = event.first_day, event.last_day
        if first == last:
            return short_day(first)
        return f"{short_day(first)} \N{EN DASH} {short_day(last)}"
    start, end = event.local(event.start), event.local(event.end)
    if start.date() == end.date():
        return f"{short_day(start)}, {start:%H:%M}\N{EN DASH}{end:%H:%M} {end:%Z}"
    start_zone = f" {start:%Z}" if start.tzname() != end.tzname() else ""
    return (
        f"{short_day(start)} {start:%H:%M}{start_zone} \N{EN DASH} "
        f"{short_day(end)} {end:%H:%M} {end:%Z}"
    )


def wrap_points(address):
    """The address in pieces: a break may come before the @ and after each dot."""
    return ((piece,) for piece in re.split(r"(?<=\.)|(?=@)", address))


def registrations_link(event, status, count):
    query = urlencode({"event__id__exact": event.pk, "status__exact": status})
    url = f"{reverse('admin:events_registration_changelist')}?{query}"
    return format_html('<a href="{}">{}</a>', url, count)


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
    form = EventAdminForm
    list_display = [
        "title",
        "when",
        "status",
        "capacity",
        "confirmed",
        "waitlisted",
    ]
    list_filter = ["status", "is_online", "all_day", "waiting_list_enabled", "organisers", "start"]
    search_fields = columns_in_each_language("title", "summary", "venue_name")
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["organisers"]
    readonly_fields = ["sequence", "registrations_erased", "created", "updated", "image_preview"]
    actions = [
        "publish_events",
        "unpublish_events",
        "export_registrations",
        "promote_waiting",
        "cancel_events",
    ]
    inlines = [RegistrationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "summary", "body", "organisers"]}),
        (_("When"), {"fields": ["time_zone", "start", "end", "all_day"]}),
        (_("Where"), {"fields": ["is_online", "online_url", "venue_name", "venue_address"]}),
        (_("Image"), {"fields": ["image", "image_preview", "image_alt"]}),
        (
            _("Registration"),
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

    def get_fieldsets(self, request, obj=None):
        # Not modeltranslation's default, which would copy the form's Meta.fields onto
        # `fields` beside `fieldsets` (admin.E005).
        return self._patch_fieldsets(self.fieldsets)

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

    def get_list_display(self, request):
        """The counts link to the people counted, for those who may see registrations."""
        if self.has_view_registrations_permission(request):
            return [
                "confirmed_link"
                if n == "confirmed"
                else "waitlisted_link"
                if n == "waitlisted"
                else n
                for n in self.list_display
            ]
        return self.list_display

    @admin.display(description=_("image as shown on the site"))
    def image_preview(self, event):
        return admin_preview(event.picture, width=event.image_width, height=event.image_height)

    @admin.display(description=_("when"), ordering="start")
    def when(self, event):
        """Short, in the event's own zone, with the zone named under it."""
        zone = format_html_join(
            mark_safe("/<wbr>"), "{}", ((p,) for p in event.time_zone.split("/"))
        )
        return format_html('{}<br><span class="quiet">{}</span>', list_when(event), zone)

    @admin.display(description=_("confirmed"), ordering="confirmed_total")
    def confirmed(self, event):
        return event.confirmed_total

    @admin.display(description=_("waiting"), ordering="waitlisted_total")
    def waitlisted(self, event):
        return event.waitlisted_total

    @admin.display(description=_("confirmed"), ordering="confirmed_total")
    def confirmed_link(self, event):
        return registrations_link(event, Registration.Status.CONFIRMED, event.confirmed_total)

    @admin.display(description=_("waiting"), ordering="waitlisted_total")
    def waitlisted_link(self, event):
        return registrations_link(event, Registration.Status.WAITLISTED, event.waitlisted_total)

    def get_inlines(self, request, obj):
        if obj is None or not request.user.has_perm("events.view_registration"):
            return []
        return super().get_inlines(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """
        A change that emails registrants is saved only once staff confirm it. The page shows
        times in the event's zone, also those shown read-only (so it is rendered here).
        """
        event = self.get_object(request, unquote(object_id)) if object_id else None
        with timezone.override(event.zone if event else None):
            response = None
            if (
                request.method == "POST"
                and object_id
                and CONFIRMED_TELLING not in request.POST
                and "_saveasnew" not in request.POST
            ):
                response = self.telling_confirmation(request, unquote(object_id))
            if response is None:
                response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

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
            "title": gettext("Email the registrants about this change?"),
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
            count = len(result.told)
            self.message_user(
                request,
                ngettext(
                    "%(count)d person emailed about the change.",
                    "%(count)d people emailed about the change.",
                    count,
                )
                % {"count": count},
            )
        if result.promoted:
            record_in_history(
                request,
                result.promoted,
                gettext("Promoted from the waiting list: the capacity was raised."),
            )
            self.message_user(request, promoted_message(len(result.promoted)))
        if result.cancelled:
            count = len(result.cancelled)
            record_in_history(
                request, result.cancelled, gettext("Cancelled with the event and emailed.")
            )
            self.message_user(
                request,
                ngettext(
                    "Event cancelled; %(count)d person emailed.",
                    "Event cancelled; %(count)d people emailed.",
                    count,
                )
                % {"count": count},
                messages.WARNING,
            )

    def get_urls(self):
        cancel = self.admin_site.admin_view(self.cancel_view)
        return [
            path("<path:object_id>/cancel/", cancel, name="events_event_cancel"),
            *super().get_urls(),
        ]

    @admin.action(description=_("Publish selected events"), permissions=["change"])
    def publish_events(self, request, queryset):
        count = self.change_publication(request, queryset, published=True)
        message = ngettext("%d event published.", "%d events published.", count) % count
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)

    @admin.action(
        description=_("Unpublish selected events (back to draft)"), permissions=["change"]
    )
    def unpublish_events(self, request, queryset):
        count = self.change_publication(request, queryset, published=False)
        message = (
            ngettext("%d event returned to draft.", "%d events returned to draft.", count) % count
        )
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)

    def change_publication(self, request, queryset, *, published):
        """Through the service, event by event; each one changed says so in its history."""
        changed = [
            event
            for event in queryset
            if services.change_publication(event=event, published=published)
        ]
        done = (
            gettext("Published (list action).")
            if published
            else gettext("Returned to draft (list action).")
        )
        record_in_history(request, changed, done)
        return len(changed)

    @admin.action(
        description=_("Export their registrations as CSV"), permissions=["view_registrations"]
    )
    def export_registrations(self, request, queryset):
        registrations = Registration.objects.filter(event__in=queryset).order_by(
            "event__start", "created"
        )
        return registrations_csv(registrations, "registrations.csv")

    @admin.action(description=_("Fill free seats from the waiting list"), permissions=["change"])
    def promote_waiting(self, request, queryset):
        promoted = []
        for event in queryset:
            promoted_here = services.promote_from_waiting_list(event=event)
            record_in_history(
                request, promoted_here, gettext("Promoted from the waiting list (list action).")
            )
            if promoted_here:
                count = len(promoted_here)
                message = ngettext(
                    "%(count)d person promoted from the waiting list (list action).",
                    "%(count)d people promoted from the waiting list (list action).",
                    count,
                ) % {"count": count}
                record_in_history(request, [event], message)
            promoted += promoted_here
        self.message_user(request, promoted_message(len(promoted)))

    @admin.action(description=_("Cancel selected events…"), permissions=["change"])
    def cancel_events(self, request, queryset):
        """Asks first (saying how many people will be emailed), as deleting does."""
        if request.POST.get("post") == "yes":
            self.cancel(request, queryset)
            return None
        return self.cancel_confirmation(request, queryset, selected=True)

    def cancel_view(self, request, object_id):
        """The change form's "Cancel event": the same question for this one event."""
        event = self.get_object(request, unquote(object_id))
        if event is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, event):
            raise PermissionDenied
        events = self.get_queryset(request).filter(pk=event.pk)
        change_url = reverse("admin:events_event_change", args=[event.pk])
        if request.method == "POST":
            self.cancel(request, events)
            return HttpResponseRedirect(change_url)
        return self.cancel_confirmation(request, events, selected=False, back_url=change_url)

    def cancel_confirmation(self, request, queryset, *, selected, back_url=None):
        events = list(queryset.exclude(status=Event.Status.CANCELLED).order_by("start", "pk"))
        if not events:
            self.message_user(
                request, _("The selected events are cancelled already."), messages.INFO
            )
            return HttpResponseRedirect(back_url or request.get_full_path())
        for event in events:
            event.people_to_email = event.confirmed_total + event.waitlisted_total
        people = sum(event.people_to_email for event in events)
        context = {
            **self.admin_site.each_context(request),
            "title": ngettext("Cancel this event?", "Cancel these %(count)d events?", len(events))
            % {"count": len(events)},
            "opts": self.opts,
            "events": events,
            "people": people,
            "people_text": people_text(people),
            "confirm_text": ngettext(
                "Yes, cancel the event and email %(people)s",
                "Yes, cancel %(count)d events and email %(people)s",
                len(events),
            )
            % {"count": len(events), "people": people_text(people)},
            "already_cancelled": queryset.filter(status=Event.Status.CANCELLED).count(),
            "selected": selected,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "back_url": back_url or reverse("admin:events_event_changelist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/events/event/cancel_confirmation.html", context)

    def cancel(self, request, queryset):
        """Cancel each event through the service, which emails everyone registered."""
        cancelled = []
        emailed = 0
        for event in queryset.exclude(status=Event.Status.CANCELLED):
            registrations = services.cancel_event(event=event)
            record_in_history(
                request, registrations, gettext("Cancelled with the event and emailed.")
            )
            record_in_history(
                request,
                [event],
                ngettext(
                    "Cancelled; %(count)d person emailed.",
                    "Cancelled; %(count)d people emailed.",
                    len(registrations),
                )
                % {"count": len(registrations)},
            )
            cancelled.append(event)
            emailed += len(registrations)
        count = len(cancelled)
        self.message_user(
            request,
            ngettext(
                "%(count)d event cancelled; %(people)s emailed.",
                "%(count)d events cancelled; %(people)s emailed.",
                count,
            )
            % {"count": count, "people": people_text(emailed)},
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
        rows.append((gettext("When"), before.when, after.when))
    if any(getattr(before, name) != getattr(after, name) for name in services.PLACE_FIELDS):
        rows.append((gettext("Where"), before.where, after.where))
    if before.online_url != after.online_url:
        rows.append((gettext("Online link"), before.online_url, after.online_url))
    if before.status != after.status:
        rows.append((gettext("Status"), before.get_status_display(), after.get_status_display()))
    return rows


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    form = RegistrationAdminForm
    list_display = ["name", "email_address", "organisation", "event_title", "status", "registered"]
    list_filter = ["status", "event"]
    search_fields = ["name", "email", "organisation", *columns_in_each_language("event__title")]
    list_select_related = ["event"]
    readonly_fields = [
        "event", "status", "language", "consent", "consented_at", "created", "updated"
    ]  # fmt: skip
    fields = [
        "event", "name", "email", "organisation", "status", "language", "consent", "consented_at"
    ]  # fmt: skip
    actions = ["export_csv", "promote_registrations", "cancel_registrations"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        """People register on the site, which applies the seat and waiting-list rules."""
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_list_display(self, request):
        """A list of one event's registrations (as the events list links to) names it once."""
        if "event__id__exact" in request.GET:
            return [name for name in self.list_display if name != "event_title"]
        return self.list_display

    @admin.display(description=_("email"), ordering="email")
    def email_address(self, registration):
        """Long addresses may wrap at the @ and the dots, so the list fits the screen."""
        return format_html_join(mark_safe("<wbr>"), "{}", wrap_points(registration.email))

    @admin.display(description=_("event"), ordering="event__start")
    def event_title(self, registration):
        return registration.event.title

    @admin.display(description=_("registered"), ordering="created")
    def registered(self, registration):
        """When, in the event's zone like the event's own times."""
        created = registration.event.local(registration.created)
        return f"{short_day(created)}, {created:%H:%M %Z}"

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return registrations_csv(queryset.order_by("event__start", "created"), "registrations.csv")

    @admin.action(
        description=_("Promote selected from the waiting list (a seat is added if full)"),
        permissions=["change"],
    )
    def promote_registrations(self, request, queryset):
        promoted, skipped = [], 0
        for registration in queryset.order_by("created", "pk"):
            event = Event.objects.filter(pk=registration.event_id)
            capacity = event.values_list("capacity", flat=True).get()
            result = services.promote_registration(registration=registration)
            if result is None:
                skipped += 1
                continue
            promoted.append(result)
            record_in_history(
                request, [result], gettext("Promoted from the waiting list (list action).")
            )
            if result.event.capacity != capacity:
                record_in_history(
                    request,
                    [result.event],
                    gettext(
                        "Capacity raised from %(before)d to %(after)d to seat %(name)s, "
                        "promoted from the waiting list (list action)."
                    )
                    % {"before": capacity, "after": result.event.capacity, "name": result.name},
                )
        if promoted:
            self.message_user(request, promoted_message(len(promoted)), messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d registration was left as it is: only people on the waiting list of a "
                    "published event still to come can be promoted.",
                    "%d registrations were left as they are: only people on the waiting list "
                    "of a published event still to come can be promoted.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(description=_("Cancel selected registrations"), permissions=["change"])
    def cancel_registrations(self, request, queryset):
        promoted = []
        cancelled = []
        for registration in queryset.live():
            promoted_here = services.cancel_registration(registration=registration)
            cancelled.append(registration)
            promoted += promoted_here
        record_in_history(request, cancelled, gettext("Cancelled and emailed (list action)."))
        record_in_history(
            request,
            promoted,
            gettext("Promoted from the waiting list: a seat was freed (list action)."),
        )
        count = len(cancelled)
        self.message_user(
            request,
            ngettext(
                "%(count)d registration cancelled; %(promoted)s.",
                "%(count)d registrations cancelled; %(promoted)s.",
                count,
            )
            % {"count": count, "promoted": promoted_message(len(promoted), short=True)},
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

    def changelist_view(self, request, extra_context=None):
        count, oldest = outbox_status()
        if oldest is not None:
            message = ngettext(
                "%(count)d email waiting to be sent; it has waited %(wait)s.",
                "%(count)d emails waiting to be sent; the oldest for %(wait)s.",
                count,
            ) % {"count": count, "wait": describe_wait(oldest)}
            self.message_user(
                request,
                message,
                messages.WARNING
                if oldest > settings.EMAIL_PENDING_ALERT_SECONDS
                else messages.INFO,
            )
        return super().changelist_view(request, extra_context)
