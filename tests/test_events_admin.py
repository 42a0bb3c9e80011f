"""Event managers in the admin: counts, registrations, CSV export and actions through services."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, OutgoingEmail, Registration
from tests.events_helpers import make_event, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_manager(client):
    user = User.objects.create_user("manager", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Event managers"))
    client.force_login(user)
    return user


def action(client, url, name, ids):
    return client.post(url, {"action": name, "_selected_action": [str(i) for i in ids]})


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
    assert '<td class="field-confirmed">2</td>' in html
    assert '<td class="field-waitlisted">1</td>' in html


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
    url = f"/admin/events/event/{event.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items() if k not in ("start", "end")}
    data.update(
        {
            "start_0": event.start.strftime("%Y-%m-%d"),
            "start_1": event.start.strftime("%H:%M:%S"),
            "end_0": event.end.strftime("%Y-%m-%d"),
            "end_1": event.end.strftime("%H:%M:%S"),
            "capacity": "2",
            "registrations-TOTAL_FORMS": "2",
            "registrations-INITIAL_FORMS": "2",
            "registrations-MIN_NUM_FORMS": "0",
            "registrations-MAX_NUM_FORMS": "1000",
            "registrations-0-id": str(event.registrations.order_by("pk")[0].pk),
            "registrations-0-event": str(event.pk),
            "registrations-1-id": str(waiting.pk),
            "registrations-1-event": str(event.pk),
            "organisers": [],
        }
    )
    data = {k: v for k, v in data.items() if v not in (False,)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert [m.to for m in mailoutbox] == [["waiting@example.org"]]


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

    action(client, "/admin/events/event/", "cancel_events", [event.pk])
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
