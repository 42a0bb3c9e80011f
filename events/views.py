import json

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView
from django_ratelimit.decorators import ratelimit

from taskforce.cache import ObjectPageMixin
from taskforce.pagination import UncountedPaginationMixin
from taskforce.security import require_same_origin

from . import services
from .calendar import absolute_url, build_calendar
from .forms import RegistrationForm
from .models import Event, Registration

RESULT_SALT = "events.registration-result"
RESULT_MAX_AGE = 60 * 60


def result_salt(slug):
    """A result is signed for its event's address: under any other it does not verify."""
    return f"{RESULT_SALT}:{slug}"


def registration_rate(group, request):
    return settings.REGISTRATION_RATE_LIMIT


def visible_events(request):
    """The events a request may open by address: staff preview drafts too, as with articles."""
    return Event.objects.all() if request.user.is_staff else Event.objects.public()


class UpcomingEventListView(UncountedPaginationMixin, ListView):
    template_name = "events/event_list.html"
    context_object_name = "events"
    paginate_by = 20
    heading = _("Upcoming events")
    previous_label, next_label = "Sooner", "Later"

    def get_queryset(self):
        return Event.objects.public().upcoming().with_confirmed_count().with_organisers()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.heading,
            calendar_event_limit=UpcomingCalendarView.event_limit,
            previous_label=self.previous_label,
            next_label=self.next_label,
            **kwargs,
        )


class PastEventListView(UpcomingEventListView):
    heading = _("Past events")
    previous_label, next_label = "Newer", "Older"

    def get_queryset(self):
        return Event.objects.public().past().with_organisers()


class EventDetailView(ObjectPageMixin, DetailView):
    template_name = "events/event_detail.html"
    context_object_name = "event"
    form = None

    def get_queryset(self):
        """Staff preview drafts; everyone else sees only public events."""
        return visible_events(self.request).prefetch_related(
            Prefetch("organisers", to_attr="organiser_list")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["registration_state"] = self.object.registration_state()
        context["form"] = self.form or RegistrationForm()
        return context


@method_decorator(require_same_origin, name="dispatch")
@method_decorator(
    ratelimit(key="ip", rate=registration_rate, method="POST", block=True), name="post"
)
class RegisterView(EventDetailView):
    """
    The registration form's POST; answers with a redirect to the result (Post/Redirect/Get),
    or with the form alone, its errors first, for the visitor to correct.

    Anonymous and sessionless, so it checks the request's origin rather than a CSRF
    token, and the event page with its form stays in the shared page cache.
    """

    template_name = "events/register.html"

    def get(self, request, *args, **kwargs):
        """The address bar after an error: back to the event page, where the form is."""
        return redirect("events:detail", slug=kwargs["slug"])

    def post(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        form = RegistrationForm(request.POST)
        if form.is_bot:
            return self.redirect_to_result(slug, services.Outcome.ALREADY_REGISTERED)
        if form.is_valid():
            try:
                result = services.register_at(
                    slug=slug,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    organisation=form.cleaned_data["organisation"],
                    consent=form.cleaned_data["consent"],
                    language=request.LANGUAGE_CODE,
                )
            except Event.DoesNotExist as error:
                raise Http404("No such event") from error
            return self.redirect_to_result(slug, result.outcome, result.registration)
        self.object = event = self.get_object()
        state = event.registration_state()
        if state == Event.RegistrationState.NOT_OPEN_YET:
            return self.redirect_to_result(slug, services.Outcome.NOT_OPEN_YET)
        if state != Event.RegistrationState.OPEN:
            return self.redirect_to_result(slug, services.Outcome.CLOSED)
        if event.seats_left() == 0 and not event.waiting_list_enabled:
            return self.redirect_to_result(slug, services.Outcome.FULL)
        self.form = form
        return self.render_to_response(self.get_context_data(), status=400)

    def redirect_to_result(self, slug, outcome, registration=None):
        signed = signing.dumps(
            {"outcome": outcome, "registration": registration.pk if registration else None},
            salt=result_salt(slug),
        )
        return redirect("events:result", slug=slug, result=signed)


@method_decorator(never_cache, name="dispatch")
class RegistrationResultView(TemplateView):
    template_name = "events/registration_result.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            result = signing.loads(
                kwargs["result"], salt=result_salt(kwargs["slug"]), max_age=RESULT_MAX_AGE
            )
        except signing.BadSignature as error:
            raise Http404("Unknown or expired result") from error
        if result.get("outcome") not in services.Outcome.ALL:
            raise Http404("Unknown result")
        event = get_object_or_404(Event.objects.public(), slug=kwargs["slug"])
        registration = None
        if result.get("registration"):
            registration = Registration.objects.filter(
                pk=result["registration"], event=event
            ).first()
        context.update(
            event=event,
            outcome=result["outcome"],
            registration=registration,
            resend_minutes=settings.REGISTRATION_LINK_RESEND_MINUTES,
        )
        return context


class RegistrationTokenMixin:
    """The registration of the private link in the URL; never cached, never indexed."""

    def get_registration(self):
        token = self.kwargs["token"]
        if not 20 <= len(token) <= 100:
            raise Http404("Unknown link")
        return get_object_or_404(Registration.objects.by_token(token).select_related("event"))

    def get_context_data(self, **kwargs):
        registration = self.get_registration()
        return super().get_context_data(
            registration=registration,
            event=registration.event,
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class ManageRegistrationView(RegistrationTokenMixin, TemplateView):
    """What is stored while the registration is live; after cancelling, the event and status."""

    template_name = "events/manage.html"


@method_decorator(never_cache, name="dispatch")
class CancelRegistrationView(RegistrationTokenMixin, TemplateView):
    """Asks for confirmation (GET); cancelling is a POST."""

    template_name = "events/cancel.html"

    def post(self, request, *args, **kwargs):
        registration = self.get_registration()
        services.cancel_registration(registration=registration)
        messages.success(request, _("Your registration is cancelled. We have sent you an email."))
        return redirect("events:manage", token=self.kwargs["token"])


@method_decorator(never_cache, name="dispatch")
class EraseRegistrationView(RegistrationTokenMixin, TemplateView):
    """Asks for confirmation (GET); erasing, at once and for good, is a POST."""

    template_name = "events/erase.html"

    def post(self, request, *args, **kwargs):
        registration = self.get_registration()
        event = registration.event
        services.erase_registration(registration=registration)
        messages.success(
            request,
            _(
                "Your registration is cancelled and your name, email address and organisation "
                "are erased. We will not email you again."
            ),
        )
        if Event.objects.public().filter(pk=event.pk).exists():
            return redirect(event)
        return redirect("events:upcoming")


@method_decorator(never_cache, name="dispatch")
class RegistrationDataView(RegistrationTokenMixin, View):
    """Everything stored about a live registration, as a JSON file to keep."""

    def get(self, request, *args, **kwargs):
        registration = self.get_registration()
        if registration.status == Registration.Status.CANCELLED:
            raise Http404("Cancelled registrations show no personal data")
        data = registration_data(registration)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n",
            content_type="application/json; charset=utf-8",
        )
        filename = f"registration-{registration.event.slug}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def registration_data(registration):
    event = registration.event
    return {
        "event": {
            "title": event.title,
            "url": absolute_url(event.get_absolute_url()),
            "start": event.local(event.start),
            "end": event.local(event.end),
            "time_zone": event.time_zone,
        },
        "registration": {
            "name": registration.name,
            "email": registration.email,
            "organisation": registration.organisation,
            "status": registration.status,
            "waiting_position": registration.waiting_position,
            "consent": registration.consent,
            "consented_at": registration.consented_at,
            "registered_at": registration.created,
            "updated_at": registration.updated,
            "reminder_sent_at": registration.reminder_sent_at,
        },
        "emails": [
            {
                "subject": email.subject,
                "to": email.to,
                "queued_at": email.created,
                "sent_at": email.sent_at,
            }
            for email in registration.emails.order_by("created", "pk")
        ],
        "kept_until": event.personal_data_kept_until,
    }


class CalendarResponseMixin:
    filename = "events.ics"

    subscription = False

    def calendar_response(self, events):
        response = HttpResponse(
            build_calendar(events, subscription=self.subscription),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


class UpcomingCalendarView(CalendarResponseMixin, View):
    """The subscription calendar: the next few events, as calendar apps re-read it often."""

    event_limit = 20
    subscription = True

    def get(self, request):
        return self.calendar_response(Event.objects.public().upcoming()[: self.event_limit])


class EventCalendarView(CalendarResponseMixin, View):
    def get(self, request, slug):
        event = get_object_or_404(visible_events(request), slug=slug)
        self.filename = f"{event.slug}.ics"
        return self.calendar_response([event])
