"""
Admin forms for events and registrations.

An event's start, end and registration times are entered and shown as the clock reads
in the event's own time zone (named beside each field), whatever the server's zone:
the form reads them in the zone chosen on the same form and stores the UTC instant.
A time the clocks skip or show twice in that zone (a daylight-saving change) is refused
with a message that says so.
"""

import zoneinfo
from datetime import UTC, datetime, time, timedelta
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import Event, Registration, format_day

ZONED_FIELDS = ["start", "end", "registration_opens_at", "registration_closes_at"]
ALL_DAY_FIELDS = {"start", "end"}


@cache
def time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def duration_text(delta):
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60:
        return ngettext("%d minute", "%d minutes", minutes) % minutes
    return ngettext("%d hour", "%d hours", minutes // 60) % (minutes // 60)


def read_in_zone(naive, zone):
    """The instant a clock in `zone` shows as `naive`; ValidationError if there is not one."""
    earlier, later = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return earlier
    params = {
        "time": f"{naive:%H:%M}",
        "day": format_day(naive),
        "zone": zone.key,
        "shift": duration_text(abs(later.utcoffset() - earlier.utcoffset())),
    }
    if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValidationError(
            gettext(
                "%(time)s on %(day)s does not exist in %(zone)s: the clocks go forward by "
                "%(shift)s that night. Choose a time before or after the change."
            )
            % params,
            code="nonexistent",
        )
    raise ValidationError(
        gettext(
            "%(time)s on %(day)s happens twice in %(zone)s: the clocks go back by %(shift)s "
            "that night. Choose a time before or after the repeated hour."
        )
        % params,
        code="ambiguous",
    )


class TimeInput(forms.TimeInput):
    """A native time input: hours and minutes, seconds only where a time has them."""

    input_type = "time"

    def format_value(self, value):
        if isinstance(value, time):
            return value.strftime("%H:%M:%S" if value.second else "%H:%M")
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, time) and value.second:
            context["widget"]["attrs"]["step"] = "1"
        return context


class ZonedDateTimeWidget(forms.MultiWidget):
    """Native date and time inputs followed by the name of the zone they are read in."""

    def __init__(self, attrs=None):
        widgets = [forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), TimeInput()]
        super().__init__(widgets, attrs)
        self.zone_name = "UTC"
        self.label = ""

    def decompress(self, value):
        if isinstance(value, datetime):
            return [value.date(), value.time()]
        return list(value) if value else [None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        zone_id = f"{context['widget']['attrs']['id']}_zone"
        date_input, time_input = context["widget"]["subwidgets"]
        date_input["attrs"]["aria-describedby"] = zone_id
        time_input["attrs"]["aria-describedby"] = zone_id
        date_input["attrs"]["aria-label"] = gettext("%(field)s, date") % {"field": self.label}
        time_input["attrs"]["aria-label"] = gettext("%(field)s, time") % {"field": self.label}
        context["zone_id"] = zone_id
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        inputs = self._render(self.template_name, context, renderer)
        return format_html(
            '<p class="datetime">{} <span class="timezonewarning" id="{}" data-event-zone>'
            "{}</span></p>",
            inputs,
            context["zone_id"],
            self.zone_name,
        )


class ZonedDateTimeField(forms.MultiValueField):
    """A date and a time as entered, (date, time or None); the form reads them in a zone."""

    widget = ZonedDateTimeWidget

    def __init__(self, *, required=True, **kwargs):
        fields = [
            forms.DateField(input_formats=["%Y-%m-%d"]),
            forms.TimeField(input_formats=["%H:%M", "%H:%M:%S"], required=False),
        ]
        super().__init__(fields, required=required, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        return tuple(data_list) if data_list else None


def https_by_default(db_field, **kwargs):
    """Form fields as the admin makes them: a link typed without a scheme is https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class EventAdminForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        initial=Event._meta.get_field("time_zone").get_default(),
        label=_("Time zone"),
        help_text=_("Start, end and registration times are entered and shown in this zone."),
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "slug",
            "status",
            "summary",
            "body",
            "organisers",
            "time_zone",
            *ZONED_FIELDS,
            "all_day",
            "is_online",
            "online_url",
            "venue_name",
            "venue_address",
            "capacity",
            "waiting_list_enabled",
        ]
        field_classes = dict.fromkeys(ZONED_FIELDS, ZonedDateTimeField)
        widgets = dict.fromkeys(ZONED_FIELDS, ZonedDateTimeWidget)
        formfield_callback = https_by_default
        help_texts = {
            "status": _(
                "Only staff see a draft (“View on site” shows it with a draft badge). "
                "Cancelling emails everyone registered: “Cancel event” above, the action in "
                "the list of events and saving with the status Cancelled all say who first "
                "and ask."
            ),
        }

    class Media:
        js = ["js/event-zone.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.instance
        zone_name = self.submitted_zone_name() or event.time_zone
        for name in ZONED_FIELDS:
            if name not in self.fields:  # read-only for this user
                continue
            widget = self.fields[name].widget
            widget.zone_name, widget.label = zone_name, self.fields[name].label
            value = self.initial.get(name)
            if isinstance(value, datetime):
                self.initial[name] = self.shown(name, value)

    def submitted_zone_name(self):
        name = self.data.get(self.add_prefix("time_zone")) if self.is_bound else None
        return name if (name, name) in time_zone_choices() else None

    def shown(self, name, moment):
        """How the field shows a stored moment: the clock in the event's zone, to the second.

        All-day events show only the dates, the end as the last day they cover.
        """
        event = self.instance
        if event.all_day and name in ALL_DAY_FIELDS:
            return (event.first_day if name == "start" else event.last_day, None)
        return event.local(moment).replace(tzinfo=None, microsecond=0)

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity is not None and self.instance.pk:
            confirmed = self.instance.registrations.confirmed().count()
            if capacity < confirmed:
                raise ValidationError(
                    ngettext(
                        "%(count)d person is confirmed already: the capacity cannot be "
                        "lower. Cancel registrations first to make it smaller.",
                        "%(count)d people are confirmed already: the capacity cannot be "
                        "lower than %(count)d. Cancel registrations first to make it smaller.",
                        confirmed,
                    )
                    % {"count": confirmed},
                    code="below_confirmed",
                )
        return capacity

    def clean(self):
        cleaned_data = super().clean()
        zone_name = cleaned_data.get("time_zone")
        if zone_name is None:
            for name in ZONED_FIELDS:
                cleaned_data.pop(name, None)
            return cleaned_data
        zone = zoneinfo.ZoneInfo(zone_name)
        all_day = cleaned_data.get("all_day")
        untouched = self.instance.pk and not {"time_zone", "all_day"} & set(self.changed_data)
        for name in ZONED_FIELDS:
            entered = cleaned_data.get(name)
            if name not in self.fields:
                continue
            if entered is None:
                continue
            if untouched and name not in self.changed_data:
                # As shown, so as stored: keep the stored instant to the microsecond.
                cleaned_data[name] = getattr(self.instance, name)
                continue
            day, clock = entered
            if all_day and name in ALL_DAY_FIELDS:
                # Dates only: the last day shown ends at the midnight after it.
                day += timedelta(days=1) if name == "end" else timedelta()
                cleaned_data[name] = datetime.combine(day, time.min, tzinfo=zone)
            elif clock is None:
                message = (
                    gettext("Enter a time, or tick “All day”.")
                    if name in ALL_DAY_FIELDS
                    else gettext("Enter a time.")
                )
                self.add_error(name, ValidationError(message, code="no_time"))
            else:
                try:
                    cleaned_data[name] = read_in_zone(datetime.combine(day, clock), zone)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned_data


class RegistrationAdminForm(forms.ModelForm):
    class Meta:
        model = Registration
        fields = ["name", "email", "organisation"]

    def clean_email(self):
        """One live registration per address and event, said on the field (not a 500)."""
        email = self.cleaned_data["email"]
        registration = self.instance
        if registration.status == Registration.Status.CANCELLED:
            return email
        taken = (
            Registration.objects.live()
            .filter(event_id=registration.event_id)
            .for_email(email)
            .exclude(pk=registration.pk)
            .first()
        )
        if taken:
            raise ValidationError(
                gettext("%(email)s is already registered for this event (%(name)s, %(status)s).")
                % {
                    "email": email,
                    "name": taken.name,
                    "status": taken.get_status_display().lower(),
                },
                code="taken",
            )
        return email
