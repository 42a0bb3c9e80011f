import hashlib
import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchVectorField
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Min, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from taskforce.dates import format_date, format_time
from taskforce.expressions import CountAll
from taskforce.images import Illustrated
from taskforce.languages import Translated, in_each_language, shown_in_active_language
from taskforce.models import Organisation
from taskforce.search import SEARCH_VECTORS, SearchableManager, SearchableQuerySet

EN_DASH = "\N{EN DASH}"
RESERVED_SLUGS = {"past", "manage"}


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("“%(value)s” is not an IANA time zone, e.g. Europe/Paris.") % {"value": value}
        )


MANAGE_LINK_SALT = "events.registration.manage-link"


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def manage_link_signer():
    """
    Signs a registration's number into its private link: the link is derived from the
    registration and SECRET_KEY (or a key in SECRET_KEY_FALLBACKS while it is rotated),
    so it never changes and is never stored. "." never appears in the random tokens of
    links issued before, which are still found by their stored hash.
    """
    return signing.Signer(salt=MANAGE_LINK_SALT, sep=".", algorithm="sha256")


class EventQuerySet(SearchableQuerySet):
    """Searched by the stored search_vector (migration 0009): title A, summary B, venue C."""

    search_fields = ("title", "summary", "venue_name", "venue_address")
    search_order = ("-start", "-pk")

    def published(self):
        return self.filter(status=Event.Status.PUBLISHED)

    def public(self):
        """Published events and those cancelled after publication, which stay visible."""
        return self.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def in_year(self, year):
        return self.filter(start__year=year)

    def upcoming(self, now=None):
        return self.filter(end__gt=now or timezone.now()).order_by("start", "pk")

    def past(self, now=None):
        return self.filter(end__lte=now or timezone.now()).order_by("-start", "-pk")

    def next_change(self, now):
        """The next moment after now when a public event starts, ends, opens or closes."""
        fields = ["start", "end", "registration_opens_at", "registration_closes_at"]
        moments = self.public().aggregate(
            **{field: Min(field, filter=Q(**{f"{field}__gt": now})) for field in fields}
        )
        return min(filter(None, moments.values()), default=None)

    def with_confirmed_count(self):
        """
        The confirmed registrations that seats are counted from, only for the events fetched.

        COUNT(*) rather than of a column: PostgreSQL counts from registration_queue_idx alone.
        """
        confirmed = Registration.objects.filter(
            event=OuterRef("pk"), status=Registration.Status.CONFIRMED
        )
        return self.annotate(confirmed_count=Subquery(confirmed.order_by().values(n=CountAll())))

    def with_organisers(self):
        """
        The organisers each event names, read with the events: on PostgreSQL their names
        in the same row (organiser_short_names), elsewhere in one more query for them all.
        """
        if connection.vendor == "postgresql":
            organisers = Organisation.objects.filter(events=OuterRef("pk"))
            names = organisers.annotate(shown=shown_in_active_language("short_name"))
            names = names.order_by(*Organisation._meta.ordering).values("shown")
            return self.annotate(organiser_short_names=ArraySubquery(names))
        return self.prefetch_related(Prefetch("organisers", to_attr="organiser_list"))


class Event(Translated, Illustrated):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")

    class RegistrationState(models.TextChoices):
        OPEN = "open", _("Open")
        NOT_OPEN_YET = "not_open_yet", _("Not open yet")
        CLOSED = "closed", _("Closed")
        OVER = "over", _("The event is over")
        CANCELLED = "cancelled", _("The event is cancelled")
        UNAVAILABLE = "unavailable", _("Not published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences for lists.")
    )
    body = models.TextField(
        _("body"), blank=True, help_text=_("Plain text; blank lines separate paragraphs.")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), db_index=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("IANA name of the zone the times are shown in, e.g. Europe/Paris."),
    )
    all_day = models.BooleanField(
        _("all day"),
        default=False,
        help_text=_(
            "A date with no time: times are ignored and the days of the start and end "
            "dates in the event's time zone are used."
        ),
    )
    is_online = models.BooleanField(_("online"), default=False)
    venue_name = models.CharField(_("venue name"), max_length=200, blank=True)
    venue_address = models.CharField(_("venue address"), max_length=300, blank=True)
    online_url = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Sent only to confirmed registrants; never shown on the site."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Seats; leave blank for no limit.")
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens at"),
        null=True,
        blank=True,
        help_text=_("Blank: open as soon as the event is published."),
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes at"),
        null=True,
        blank=True,
        help_text=_("Blank: closes when the event starts."),
    )
    waiting_list_enabled = models.BooleanField(_("waiting list"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    organisers = models.ManyToManyField(
        Organisation, verbose_name=_("organisers"), blank=True, related_name="events"
    )
    sequence = models.PositiveIntegerField(
        _("sequence"),
        default=0,
        editable=False,
        help_text=_(
            "Raised by every change registrants are told of (time, place, online link, "
            "cancellation); calendar apps keep the entry with the highest."
        ),
    )
    registrations_erased = models.PositiveIntegerField(
        _("registrations erased"),
        default=0,
        editable=False,
        help_text=_("Registrations whose people erased their data: nothing else is kept of them."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # Filled by database triggers on PostgreSQL from the title, summary and venue, in
    # English and in French; unused elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)
    search_vector_fr = SearchVectorField(null=True, editable=False)

    objects = SearchableManager.from_queryset(EventQuerySet)()

    # Changes to these alone add or remove the event from no list (taskforce/cache.py).
    page_cache_shown_fields = (
        *in_each_language("title", "summary", "body", "venue_name"),
        "time_zone", "is_online", "venue_address", "online_url", "capacity",
        "waiting_list_enabled", "sequence", "registrations_erased", "image",
        *in_each_language("image_alt"), "updated", *SEARCH_VECTORS,
    )  # fmt: skip

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-start", "pk"]
        indexes = [
            # SQLite plans the lists with this one: the public events on one side of
            # now, then sorted. PostgreSQL prefers the next.
            models.Index(fields=["status", "end", "start"], name="event_listing_idx"),
            # Lists read events in order of start and keep those not over yet (or over):
            # with the end in the index, the events skipped are passed over in the index
            # alone, without reading each one, however many past events there are.
            models.Index(fields=["start", "end"], name="event_start_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0),
                name="event_capacity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="event_registration_closes_after_opening",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__lte=models.F("end")),
                name="event_registration_closes_by_the_end",
                violation_error_message=_("Registration must close by the end of the event."),
            ),
            *Illustrated.Meta.constraints,
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {
                    "slug": gettext("“%(slug)s” is taken by a page of the site.")
                    % {"slug": self.slug}
                }
            )
        if self.start and self.end:
            if self.all_day:
                # The end is the midnight after the last day: cleaning again changes nothing.
                last_day = max(self.first_day, self.last_day)
                self.start, self.end = self.all_day_bounds(self.first_day, last_day)
            if self.end < self.start:
                raise ValidationError({"end": gettext("The event cannot end before it starts.")})
        if self.venue_address and not self.venue_name:
            raise ValidationError({"venue_name": gettext("Name the venue whose address you gave.")})
        super().clean()
        self.clean_registration_window()

    def clean_registration_window(self):
        """Registration opens before it closes, and closes by the end of the event."""
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            raise ValidationError(
                {"registration_closes_at": gettext("Registration must close after it opens.")}
            )
        if closes and self.end and closes > self.end:
            raise ValidationError(
                {
                    "registration_closes_at": gettext(
                        "Registration must close by the end of the event (%(end)s)."
                    )
                    % {"end": self.moment(self.end)}
                }
            )
        if opens and not closes and self.start and opens >= self.start:
            raise ValidationError(
                {
                    "registration_opens_at": gettext(
                        "Registration closes when the event starts (%(start)s), so it must "
                        "open before then; or set a closing time."
                    )
                    % {"start": self.moment(self.start)}
                }
            )

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def local(self, moment):
        return timezone.localtime(moment, self.zone)

    def moment(self, moment):
        """A moment in the event's zone, named: "Thursday 12 June 2025, 17:00 CEST"."""
        local = self.local(moment)
        return f"{format_day(local)}, {format_clock(local)} {local:%Z}"

    def all_day_bounds(self, first_day, last_day):
        """From midnight of the first day to midnight after the last, in the event's zone."""
        start = datetime.combine(first_day, time.min, tzinfo=self.zone)
        end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=self.zone)
        return start, end

    @property
    def first_day(self):
        return self.local(self.start).date()

    @property
    def last_day(self):
        """The last day an all-day event covers (its stored end is the following midnight)."""
        return (self.local(self.end) - timedelta(microseconds=1)).date()

    @property
    def when(self):
        """Date and times in the event's zone, with the zone named; only dates if all day."""
        return "".join(text for text, _ in self.when_parts)

    @property
    def when_parts(self):
        """
        `when` in pieces, each with the ISO 8601 date or time it shows (None for the words
        between): pages mark them up as <time> elements.
        """
        if self.all_day:
            first, last = self.first_day, self.last_day
            parts = [(format_day(first), first.isoformat())]
            if first != last:
                parts += [(f" {EN_DASH} ", None), (format_day(last), last.isoformat())]
            return parts
        start, end = self.local(self.start), self.local(self.end)
        zone_name = (f" {end:%Z} ({self.time_zone})", None)
        if start.date() == end.date():
            return [
                (
                    f"{format_day(start)}, {format_clock(start)}",
                    start.isoformat(timespec="seconds"),
                ),
                (EN_DASH, None),
                (format_clock(end), end.isoformat(timespec="seconds")),
                zone_name,
            ]
        return [
            (f"{format_day(start)} {format_clock(start)}", start.isoformat(timespec="seconds")),
            (f" {EN_DASH} ", None),
            (f"{format_day(end)} {format_clock(end)}", end.isoformat(timespec="seconds")),
            zone_name,
        ]

    @property
    def venue(self):
        return ", ".join(part for part in (self.venue_name, self.venue_address) if part)

    @property
    def where(self):
        if self.is_online:
            if self.venue:
                return gettext("Online and at %(venue)s") % {"venue": self.venue}
            return gettext("Online")
        return self.venue

    @property
    def attendance_mode(self):
        """How people take part: "online", "offline" (at a venue) or "mixed" (both)."""
        if self.is_online:
            return "mixed" if self.venue_name else "online"
        return "offline"

    def structured_data(self, *, absolute_url):
        """
        schema.org Event, as search engines read it; absolute_url turns a path into a full URL.

        The online link goes to confirmed registrants only, so the virtual location is
        the event page, where people register for it. Registration is free: the offer,
        while registration has not closed, has a price of 0 and no currency.
        """
        url = absolute_url(self.get_absolute_url())
        if self.all_day:
            start, end = self.first_day.isoformat(), self.last_day.isoformat()
        else:
            start, end = self.local(self.start).isoformat(), self.local(self.end).isoformat()
        status = "EventCancelled" if self.status == self.Status.CANCELLED else "EventScheduled"
        mode = {"online": "Online", "offline": "Offline", "mixed": "Mixed"}[self.attendance_mode]
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": self.title,
            "description": self.summary,
            "url": url,
            "startDate": start,
            "endDate": end,
            "eventStatus": f"https://schema.org/{status}",
            "eventAttendanceMode": f"https://schema.org/{mode}EventAttendanceMode",
            "isAccessibleForFree": True,
        }
        location = []
        if self.venue_name:
            place = {"@type": "Place", "name": self.venue_name}
            if self.venue_address:
                place["address"] = self.venue_address
            location.append(place)
        if self.is_online:
            location.append({"@type": "VirtualLocation", "url": url})
        if location:
            data["location"] = location[0] if len(location) == 1 else location
        organisers = self.organiser_organisations
        if organisers:
            data["organizer"] = [
                organisation.structured_data(absolute_url=absolute_url)
                for organisation in organisers
            ]
        picture = self.picture
        if picture:
            data["image"] = [absolute_url(picture.fallback_url)]
        offer = self.offer_data(url)
        if offer:
            data["offers"] = offer
        return data

    def offer_data(self, url):
        """The free registration as a schema.org Offer, until registration closes."""
        state = self.registration_state()
        if state not in (self.RegistrationState.OPEN, self.RegistrationState.NOT_OPEN_YET):
            return None
        full = self.seats_left() == 0
        return {
            "@type": "Offer",
            "url": url,
            "price": 0,
            "availability": f"https://schema.org/{'SoldOut' if full else 'InStock'}",
            "validFrom": (self.registration_opens_at or self.created).isoformat(),
        }

    @property
    def where_and_by_whom(self):
        """What the line under the title in lists says after the time."""
        return " · ".join(part for part in (self.where, self.organiser_names) if part)

    @property
    def badge(self):
        """What lists flag: a cancellation, or the seats of an event not over yet."""
        if self.status == self.Status.CANCELLED:
            return pgettext("event status", "Cancelled")
        return "" if self.is_over else self.availability

    def registration_state(self, now=None):
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return self.RegistrationState.CANCELLED
        if self.status != self.Status.PUBLISHED:
            return self.RegistrationState.UNAVAILABLE
        if now >= self.end:
            return self.RegistrationState.OVER
        if self.registration_opens_at and now < self.registration_opens_at:
            return self.RegistrationState.NOT_OPEN_YET
        if now >= (self.registration_closes_at or self.start):
            return self.RegistrationState.CLOSED
        return self.RegistrationState.OPEN

    @property
    def is_registration_open(self):
        return self.registration_state() == self.RegistrationState.OPEN

    @property
    def organiser_organisations(self):
        """The organisers, as prefetched by with_organisers() on SQLite or by the event page."""
        organisers = getattr(self, "organiser_list", None)
        return self.organisers.all() if organisers is None else organisers

    @property
    def organiser_names(self):
        names = getattr(self, "organiser_short_names", None)
        if names is None:
            names = [str(organisation) for organisation in self.organiser_organisations]
        return ", ".join(names)

    @property
    def is_over(self):
        return timezone.now() >= self.end

    @property
    def personal_data_kept_until(self):
        """The last day before `purge_registrations` deletes the event's registrations."""
        days = timedelta(days=settings.REGISTRATION_RETENTION_DAYS)
        return (self.local(self.end) + days).date()

    def seats_left(self, confirmed_count=None):
        """
        Free seats, or None without a limit.

        Without a count given, uses the annotated one, or counts once and keeps the count:
        an event page asks several times, and events without a limit never count.
        """
        if self.capacity is None:
            return None
        if confirmed_count is None:
            confirmed_count = getattr(self, "confirmed_count", None)
        if confirmed_count is None:
            confirmed_count = self.confirmed_count = self.registrations.confirmed().count()
        return max(self.capacity - confirmed_count, 0)

    @property
    def availability(self):
        """What the page says about seats: a number, "waiting list", "full" or "" for no limit."""
        left = self.seats_left()
        if left is None:
            return ""
        if left:
            return ngettext("%(count)d seat left", "%(count)d seats left", left) % {"count": left}
        return gettext("Full: waiting list open") if self.waiting_list_enabled else gettext("Full")


def format_day(day):
    """The day in the active language: "Wednesday 1 October 2025", "mercredi 1er octobre 2025"."""
    return format_date(day, "EVENT_DAY_FORMAT")


def format_clock(moment):
    """The clock time in the active language: "14:00", "14 h 00"."""
    return format_time(moment, "EVENT_TIME_FORMAT")


class RegistrationQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(status=Registration.Status.CANCELLED)

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=Registration.Status.WAITLISTED).order_by("created", "pk")

    def for_email(self, email):
        """Case-insensitive, as the unique constraint compares, so the lookup uses its index."""
        address = Lower(Value(email.strip()))
        return self.alias(email_lower=Lower("email")).filter(email_lower=address)

    def by_token(self, token):
        """The registration whose private link carries `token`, or none."""
        if "." not in token:
            return self.filter(token_hash=hash_token(token))
        try:
            pk = signing.b62_decode(manage_link_signer().unsign(token))
        except (signing.BadSignature, ValueError):
            return self.none()
        return self.filter(pk=pk)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    # registration_queue_idx leads with the event: a second index on it alone only
    # slows down every registration.
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="registrations",
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    consent = models.BooleanField(_("consent"), default=False)
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, editable=False)
    # The language of the page they registered on: their emails and invitations speak it.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en", editable=False
    )
    # The hash of the random token of a link issued before links were derived from the
    # registration (manage_token): kept so that those links go on working. NULL for
    # registrations made since, as a unique column needs (an empty string would collide).
    token_hash = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, editable=False
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event_id", "created", "pk"]
        indexes = [
            models.Index(fields=["event", "status", "created"], name="registration_queue_idx")
        ]
        constraints = [
            # A constraint rather than unique=True: links are looked up by equality
            # only, so PostgreSQL needs no second, pattern-matching index on the hash.
            models.UniqueConstraint(fields=["token_hash"], name="registration_token_hash_unique"),
            models.UniqueConstraint(
                Lower("email"),
                "event",
                condition=~Q(status="cancelled"),
                name="one_live_registration_per_email",
                violation_error_message=_(
                    "This email address is already registered for this event."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.event})"

    @property
    def manage_token(self):
        """The token of the private link: the same for the registration's whole life."""
        return manage_link_signer().sign(signing.b62_encode(self.pk))

    # Pages show registrations only as their event's seat count (taskforce/cache.py).
    page_cache_shown_with = "event"

    @property
    def changes_public_pages(self):
        """Pages show seats left, so only registrations for events with a limit change them."""
        try:
            return self.event.capacity is not None
        except Event.DoesNotExist:
            return True

    def get_manage_url(self):
        return reverse("events:manage", kwargs={"token": self.manage_token})

    @property
    def waiting_position(self):
        if self.status != self.Status.WAITLISTED:
            return None
        ahead = self.event.registrations.waitlisted().filter(
            Q(created__lt=self.created) | Q(created=self.created, pk__lt=self.pk)
        )
        return ahead.count() + 1


class OutgoingEmail(models.Model):
    """An email recorded in the same transaction as the change it reports, so none is lost.

    It holds what to send, not the text: the email is rendered when it is sent, right
    after the commit or by `send_pending_emails`. No private link is stored: it is
    derived from the registration when the email is rendered.
    """

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("Registration confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        PROMOTED = "promoted", _("Promoted from the waiting list")
        CANCELLED = "cancelled", _("Registration cancelled")
        EVENT_CANCELLED = "event_cancelled", _("Event cancelled")
        EVENT_CHANGED = "event_changed", _("Event changed")
        MANAGE_LINK = "manage_link", _("Manage link re-sent")
        REMINDER = "reminder", _("Reminder")

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="emails",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    previous = models.JSONField(
        _("previous"),
        default=dict,
        blank=True,
        help_text=_(
            "What a change replaced (e.g. the former time), for the email that reports it."
        ),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)

    changes_public_pages = False

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["sent_at", "created"], name="outbox_pending_idx")]

    def __str__(self):
        return gettext("%(kind)s to %(to)s") % {"kind": self.get_kind_display(), "to": self.to}
