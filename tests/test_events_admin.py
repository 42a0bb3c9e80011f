"""Event managers in the admin: counts, registrations, CSV export and actions through services."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import Event, OutgoingEmail, Registration
from tests.events_helpers import make_event, register
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


def action(client, url, name, ids, **fields):
    return client.post(url, {"action": name, "_selected_action": [str(i) for i in ids], **fields})


def change_form_data(client, event):
    """The event's change form as the page shows it, ready to post back."""
    response = client.get(f"/admin/events/event/{event.pk}/change/")
    assert response.status_code == 200
    return form_data(response.content.decode(), "event_form")


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def history(obj):
    """The object's admin history, oldest first, as its History page lists it."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).order_by("action_time", "pk")
    return [entry.get_change_message() for entry in entries]


def test_event_managers_group_can_manage_events_and_see_registrations():
    group = Group.objects.get(name="Event managers")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_event", "change_event", "view_registration", "change_registration"} <= codenames
    assert "add_registration" not in codenames


def test_staff_without_registration_rights_see_no_registrations(client):
    editor = User.objects.create_user("editor", password="x", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_event"]))
    client.force_login(editor)
    event = make_event()
    register(event, email="private@example.org")
    assert client.get("/admin/events/registration/").status_code == 403
    assert (
        "private@example.org"
        not in client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    )
    changelist = client.get("/admin/events/event/").content.decode()
    assert '<td class="field-confirmed">1</td>' in changelist  # a count, not a link


def test_event_list_shows_counts_in_a_fixed_number_of_queries(client, event_manager):
    def changelist_queries(events):
        for _ in range(events):
            event = make_event(capacity=2)
            for _ in range(3):
                register(event)
        with CaptureQueriesContext(connection) as context:
            response = client.get("/admin/events/event/")
        assert response.status_code == 200
        return response, len(context.captured_queries)

    _, few = changelist_queries(1)
    response, many = changelist_queries(10)
    assert few == many
    html = response.content.decode()
    event = Event.objects.order_by("pk").last()
    people = f"/admin/events/registration/?event__id__exact={event.pk}&amp;status__exact="
    assert f'<td class="field-confirmed_link"><a href="{people}confirmed">2</a></td>' in html
    assert f'<td class="field-waitlisted_link"><a href="{people}waitlisted">1</a></td>' in html


def test_registration_status_is_not_editable_in_the_admin(client, event_manager):
    registration = register(make_event()).registration
    html = client.get(f"/admin/events/registration/{registration.pk}/change/").content.decode()
    assert 'name="status"' not in html
    assert "Confirmed" in html
    response = client.post(
        f"/admin/events/registration/{registration.pk}/change/",
        {"name": "Ada", "email": registration.email, "organisation": "", "status": "cancelled"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert registration.name == "Ada"


def test_csv_export_has_a_bom_and_neutralises_formulas(client, event_manager):
    event = make_event()
    register(event, name='=HYPERLINK("http://evil")', email="a@example.org", organisation="+1")
    register(event, name="Zoë Müller", email="b@example.org", organisation="@home")
    response = action(client, "/admin/events/event/", "export_registrations", [event.pk])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["event", "name", "email"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[1][3] == "'+1"
    assert rows[2][1] == "Zoë Müller"
    assert rows[2][3] == "'@home"


def test_raising_capacity_in_the_admin_promotes_waiting_people(
    client, event_manager, django_capture_on_commit_callbacks, mailoutbox
):
    event = make_event(capacity=1)
    register(event)
    waiting = register(event, email="waiting@example.org").registration
    data = change_form_data(client, event)
    data["capacity"] = ["2"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert [m.to for m in mailoutbox] == [["waiting@example.org"]]
    assert messages_of(client.get(response["Location"]))[0] == (
        "1 person promoted from the waiting list and emailed."
    )
    assert history(waiting) == ["Promoted from the waiting list: the capacity was raised."]


def test_actions_cancel_registrations_promote_and_cancel_events(client, event_manager):
    event = make_event(capacity=1)
    first = register(event, email="first@example.org").registration
    second = register(event, email="second@example.org").registration
    action(client, "/admin/events/registration/", "cancel_registrations", [first.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("cancelled", "confirmed")

    Event.objects.filter(pk=event.pk).update(capacity=2)
    third = register(event, email="third@example.org").registration
    Event.objects.filter(pk=event.pk).update(capacity=3)
    fourth_event_waiting = register(event, email="fourth@example.org").registration
    assert third.status == "confirmed" and fourth_event_waiting.status == "confirmed"

    action(client, "/admin/events/event/", "cancel_events", [event.pk], post="yes")
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert not event.registrations.live().exists()
    assert OutgoingEmail.objects.filter(kind="event_cancelled").count() == 3


def test_promote_action_fills_seats_freed_outside_the_waiting_flow(client, event_manager):
    event = make_event(capacity=1)
    register(event)
    waiting = register(event).registration
    Event.objects.filter(pk=event.pk).update(capacity=2)
    action(client, "/admin/events/event/", "promote_waiting", [event.pk])
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"


def test_admin_pages_open_for_event_managers(client, event_manager):
    event = make_event()
    register(event)
    for url in (
        "/admin/events/event/",
        "/admin/events/event/add/",
        f"/admin/events/event/{event.pk}/change/",
        f"/admin/events/registration/?event__id__exact={event.pk}&status__exact=confirmed",
        "/admin/events/outgoingemail/",
    ):
        assert client.get(url).status_code == 200, url


# Validation: each with a message on the field, and nothing saved


def post_change(client, event, **fields):
    data = change_form_data(client, event)
    data.update({name: [value] for name, value in fields.items()})
    return client.post(f"/admin/events/event/{event.pk}/change/", data)


def field_errors(response):
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def local_fields(event, name, moment):
    """The date and time inputs of a zoned field, as the clock reads in the event's zone."""
    local = event.local(moment)
    return {f"{name}_0": f"{local:%Y-%m-%d}", f"{name}_1": f"{local:%H:%M}"}


def test_registration_closing_before_it_opens_is_refused(client, event_manager):
    event = make_event()
    fields = {
        **local_fields(event, "registration_opens_at", event.start - timedelta(days=2)),
        **local_fields(event, "registration_closes_at", event.start - timedelta(days=3)),
    }
    errors = field_errors(post_change(client, event, **fields))
    assert errors["registration_closes_at"] == ["Registration must close after it opens."]
    assert Event.objects.get(pk=event.pk).registration_opens_at is None


def test_registration_closing_after_the_event_ends_is_refused(client, event_manager):
    event = make_event(time_zone="Europe/Zurich")
    closes = event.end + timedelta(hours=1)
    errors = field_errors(
        post_change(client, event, **local_fields(event, "registration_closes_at", closes))
    )
    (message,) = errors["registration_closes_at"]
    end = event.local(event.end)
    assert message == (
        "Registration must close by the end of the event "
        f"({end:%A} {end.day} {end:%B %Y}, {end:%H:%M %Z})."
    )
    assert Event.objects.get(pk=event.pk).registration_closes_at is None


def test_registration_opening_after_the_start_needs_a_closing_time(client, event_manager):
    event = make_event()
    opens = event.start + timedelta(minutes=30)
    errors = field_errors(
        post_change(client, event, **local_fields(event, "registration_opens_at", opens))
    )
    assert (
        "so it must open before then; or set a closing time."
        in (errors["registration_opens_at"][0])
    )


def test_an_end_before_the_start_is_refused(client, event_manager):
    event = make_event()
    errors = field_errors(
        post_change(client, event, **local_fields(event, "end", event.start - timedelta(hours=1)))
    )
    assert errors["end"] == ["The event cannot end before it starts."]


@pytest.mark.parametrize(
    ("confirmed", "message"),
    [
        (1, "1 person is confirmed already: the capacity cannot be lower."),
        (3, "3 people are confirmed already: the capacity cannot be lower than 3."),
    ],
)
def test_capacity_below_the_seats_confirmed_is_refused_saying_how_many(
    client, event_manager, confirmed, message
):
    event = make_event(capacity=5)
    for _ in range(confirmed):
        register(event)
    register(event, email="cancelled@example.org")
    services.cancel_registration(registration=event.registrations.order_by("-pk")[0])
    errors = field_errors(post_change(client, event, capacity=str(confirmed - 1)))
    assert errors["capacity"][0].startswith(message)
    assert Event.objects.get(pk=event.pk).capacity == 5
    assert post_change(client, event, capacity=str(confirmed)).status_code == 302


# Drafts: a preview for staff, nothing for anyone else


def test_view_on_site_previews_a_draft_for_staff_and_the_public_gets_404(client, event_manager):
    draft = make_event(status=Event.Status.DRAFT)
    html = client.get(f"/admin/events/event/{draft.pk}/change/").content.decode()
    view_on_site = re.search(r'<a href="([^"]+)" class="viewsitelink">', html).group(1)
    response = client.get(view_on_site, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(draft.get_absolute_url())
    assert "Preview: draft, not public" in response.content.decode()
    assert client.get(f"/en/events/{draft.slug}/calendar.ics").status_code == 200

    anonymous = Client()
    assert anonymous.get(draft.get_absolute_url()).status_code == 404
    assert anonymous.get(f"/en/events/{draft.slug}/calendar.ics").status_code == 404
    published = client.get(make_event().get_absolute_url()).content.decode()
    assert "Preview" not in published


# Cancelling: a question first, saying how many people will be emailed


def test_cancelling_events_asks_first_and_emails_nobody_before_staff_confirm(
    client, event_manager, django_capture_on_commit_callbacks, mailoutbox
):
    forum = make_event(capacity=2, title="Forum")
    for _ in range(3):  # two confirmed, one waiting
        register(forum)
    workshop = make_event(title="Workshop")
    register(workshop)
    already = make_event(status=Event.Status.CANCELLED)
    mailoutbox.clear()
    outbox_before = OutgoingEmail.objects.count()

    ids = [forum.pk, workshop.pk, already.pk]
    response = action(client, "/admin/events/event/", "cancel_events", ids)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cancel these 2 events?" in html
    assert "<strong>4 people will be emailed.</strong>" in html
    assert "1 of the selected events is cancelled already" in html
    assert "Yes, cancel 2 events and email 4 people" in html
    assert OutgoingEmail.objects.count() == outbox_before
    assert not mailoutbox
    assert set(Event.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "published",
        "cancelled",
    }
    assert Registration.objects.live().count() == 4

    confirmation = form_data(html)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/events/event/", confirmation, follow=True)
    assert "2 events cancelled; 4 people emailed." in messages_of(response)
    assert Event.objects.filter(pk__in=ids, status="cancelled").count() == 3
    assert len(mailoutbox) == 4
    assert {m.subject for m in mailoutbox} == {
        "Event cancelled: Forum",
        "Event cancelled: Workshop",
    }


def test_cancel_event_on_its_change_form_asks_first_then_cancels_it(
    client, event_manager, mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event()
    register(event)
    mailoutbox.clear()
    change_url = f"/admin/events/event/{event.pk}/change/"
    html = client.get(change_url).content.decode()
    cancel_url = f"/admin/events/event/{event.pk}/cancel/"
    assert f'<a href="{cancel_url}">Cancel event</a>' in html

    html = client.get(cancel_url).content.decode()
    assert "Cancel this event?" in html
    assert "<strong>1 person will be emailed.</strong>" in html
    assert "Yes, cancel the event and email 1 person" in html
    assert f'href="{change_url}" class="button">No, take me back' in html
    assert not mailoutbox and Event.objects.get(pk=event.pk).status == "published"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url, form_data(html))
    assert response["Location"] == change_url
    assert Event.objects.get(pk=event.pk).status == "cancelled"
    assert [m.subject for m in mailoutbox] == [f"Event cancelled: {event.title}"]
    assert f'href="{cancel_url}"' not in client.get(change_url).content.decode()
    response = action(client, "/admin/events/event/", "cancel_events", [event.pk])
    assert messages_of(client.get(response["Location"])) == [
        "The selected events are cancelled already."
    ]


# A chosen person from the waiting list


def test_a_chosen_person_is_promoted_from_the_waiting_list_ahead_of_others(
    client, event_manager, django_capture_on_commit_callbacks, mailoutbox
):
    event = make_event(capacity=1)
    register(event, email="seated@example.org")
    first_in_line = register(event, email="first@example.org").registration
    chosen = register(event, email="chosen@example.org", name="Grace Hopper").registration
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = action(
            client, "/admin/events/registration/", "promote_registrations", [chosen.pk]
        )
    chosen.refresh_from_db()
    first_in_line.refresh_from_db()
    assert (chosen.status, first_in_line.status) == ("confirmed", "waitlisted")
    assert Event.objects.get(pk=event.pk).capacity == 2
    (email,) = mailoutbox
    assert (email.to, email.subject) == (["chosen@example.org"], f"A seat is yours: {event.title}")
    assert "/en/events/manage/" in email.body
    messages = messages_of(client.get(response["Location"]))
    assert messages == ["1 person promoted from the waiting list and emailed."]
    assert history(event) == [
        "Capacity raised from 1 to 2 to seat Grace Hopper, promoted from the waiting list "
        "(list action)."
    ]


def test_promoting_two_people_into_a_full_event_adds_a_seat_for_each(client, event_manager):
    event = make_event(capacity=1)
    register(event)
    waiting = [register(event, name=f"Waiting {n}").registration for n in (1, 2, 3)]
    response = action(
        client,
        "/admin/events/registration/",
        "promote_registrations",
        [waiting[2].pk, waiting[0].pk],
    )
    assert messages_of(client.get(response["Location"])) == [
        "2 people promoted from the waiting list and emailed."
    ]
    assert Event.objects.get(pk=event.pk).capacity == 3
    assert [Registration.objects.get(pk=r.pk).status for r in waiting] == [
        "confirmed",
        "waitlisted",
        "confirmed",
    ]
    assert history(event) == [
        "Capacity raised from 1 to 2 to seat Waiting 1, promoted from the waiting list "
        "(list action).",
        "Capacity raised from 2 to 3 to seat Waiting 3, promoted from the waiting list "
        "(list action).",
    ]


def test_promotion_leaves_people_not_waiting_as_they_are_and_says_so(client, event_manager):
    event = make_event(capacity=2)
    seated = register(event).registration
    waiting = register(make_event(status=Event.Status.PUBLISHED, capacity=0)).registration
    Event.objects.filter(pk=waiting.event_id).update(status=Event.Status.DRAFT)
    response = action(
        client, "/admin/events/registration/", "promote_registrations", [seated.pk, waiting.pk]
    )
    assert messages_of(client.get(response["Location"])) == [
        "2 registrations were left as they are: only people on the waiting list of a "
        "published event still to come can be promoted."
    ]
    assert Registration.objects.get(pk=waiting.pk).status == "waitlisted"
    assert not OutgoingEmail.objects.filter(kind="promoted").exists()


# Every bulk action in the history of each object it changed, with who and when


def test_publishing_and_unpublishing_events_is_in_each_events_history(client, event_manager):
    drafts = [make_event(status=Event.Status.DRAFT) for _ in range(2)]
    cancelled = make_event(status=Event.Status.CANCELLED)
    ids = [event.pk for event in [*drafts, cancelled]]
    response = action(client, "/admin/events/event/", "publish_events", ids)
    assert messages_of(client.get(response["Location"])) == ["2 events published."]
    assert all(Event.objects.get(pk=e.pk).status == "published" for e in drafts)
    response = action(client, "/admin/events/event/", "unpublish_events", ids[:1])
    assert messages_of(client.get(response["Location"])) == ["1 event returned to draft."]

    assert history(drafts[0]) == ["Published (list action).", "Returned to draft (list action)."]
    assert history(drafts[1]) == ["Published (list action)."]
    assert history(cancelled) == []
    entry = LogEntry.objects.filter(object_id=str(drafts[1].pk)).get()
    assert entry.user == event_manager
    assert (timezone.now() - entry.action_time).total_seconds() < 60
    page = client.get(f"/admin/events/event/{drafts[1].pk}/history/").content.decode()
    assert "Published (list action)." in page and "manager" in page


def test_cancelling_events_is_in_the_history_of_the_event_and_each_registration(
    client, event_manager
):
    event = make_event()
    registrations = [register(event).registration for _ in range(2)]
    action(client, "/admin/events/event/", "cancel_events", [event.pk], post="yes")
    assert history(event) == ["Cancelled; 2 people emailed."]
    for registration in registrations:
        assert history(registration) == ["Cancelled with the event and emailed."]


def test_cancelling_registrations_is_in_their_history_and_of_those_promoted(client, event_manager):
    event = make_event(capacity=2)
    seated = [register(event).registration for _ in range(2)]
    waiting = [register(event).registration for _ in range(3)]
    response = action(
        client, "/admin/events/registration/", "cancel_registrations", [r.pk for r in seated]
    )
    assert messages_of(client.get(response["Location"])) == [
        "2 registrations cancelled; 2 people promoted."
    ]
    for registration in seated:
        assert history(registration) == ["Cancelled and emailed (list action)."]
    assert [history(registration) for registration in waiting] == [
        ["Promoted from the waiting list: a seat was freed (list action)."],
        ["Promoted from the waiting list: a seat was freed (list action)."],
        [],
    ]


def test_promoting_into_free_seats_is_in_the_history_of_each_person_and_the_event(
    client, event_manager
):
    event = make_event(capacity=1)
    register(event)
    waiting = [register(event).registration for _ in range(2)]
    Event.objects.filter(pk=event.pk).update(capacity=2)
    response = action(client, "/admin/events/event/", "promote_waiting", [event.pk])
    assert messages_of(client.get(response["Location"])) == [
        "1 person promoted from the waiting list and emailed."
    ]
    assert history(waiting[0]) == ["Promoted from the waiting list (list action)."]
    assert history(waiting[1]) == []
    assert history(event) == ["1 person promoted from the waiting list (list action)."]


# A registration's email


def test_an_email_already_registered_for_the_event_is_a_form_error_not_a_500(client, event_manager):
    event = make_event()
    register(event, email="ada@example.org", name="Ada Lovelace")
    other = register(event, email="grace@example.org").registration
    url = f"/admin/events/registration/{other.pk}/change/"
    response = client.post(
        url, {"name": other.name, "email": "ADA@example.org", "organisation": ""}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "ADA@example.org is already registered for this event (Ada Lovelace, confirmed)."
    ]
    assert Registration.objects.get(pk=other.pk).email == "grace@example.org"

    elsewhere = register(make_event(), email="ada@example.org").registration
    response = client.post(
        f"/admin/events/registration/{elsewhere.pk}/change/",
        {"name": "Ada", "email": "grace@example.org", "organisation": ""},
    )
    assert response.status_code == 302
