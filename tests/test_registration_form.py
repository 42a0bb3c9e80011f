"""The registration form as every visitor meets it: descriptions, errors first, plain answers."""

from html.parser import HTMLParser

import pytest

from tests.events_helpers import make_event, register

pytestmark = pytest.mark.django_db


class _Elements(HTMLParser):
    """The ids on a page in order, and aria-describedby of each input of the registration form."""

    def __init__(self):
        super().__init__()
        self.ids, self.described_by, self.order = set(), {}, []
        self.in_registration_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
            self.order.append(attrs["id"])
        if tag == "form":
            self.in_registration_form = attrs.get("action", "").endswith("/register/")
        if self.in_registration_form and tag == "input" and attrs["name"] != "website":
            self.described_by[attrs["name"]] = (attrs.get("aria-describedby") or "").split()


def elements(response):
    parser = _Elements()
    parser.feed(response.content.decode())
    return parser


def post(client, event, **data):
    return client.post(f"/en/events/{event.slug}/register/", data)


def test_every_input_is_described_by_elements_on_the_page(client):
    page = elements(client.get(make_event().get_absolute_url()))
    assert page.described_by == {
        "name": [],
        "email": ["id_email_helptext"],
        "organisation": [],
        "consent": ["id_consent_helptext"],
    }
    assert {"id_email_helptext", "id_consent_helptext"} <= page.ids


def test_after_errors_each_input_is_described_by_its_error_too(client):
    page = elements(post(client, make_event(), email="ada@"))
    assert page.described_by == {
        "name": ["id_name_error"],
        "email": ["id_email_helptext", "id_email_error"],
        "organisation": [],
        "consent": ["id_consent_helptext", "id_consent_error"],
    }
    for ids in page.described_by.values():
        assert set(ids) <= page.ids


def test_errors_come_first_alone_with_the_form_and_link_to_each_field(client):
    event = make_event(title="Resilient cities")
    response = post(client, event, name="Ada", email="ada@")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: Register for Resilient cities" in html
    page = elements(response)
    # The summary is the first thing in the page's main content, before its heading.
    after_main = page.order[page.order.index("main") + 1 :]
    assert after_main[0] == "error-summary"
    assert '<a href="#id_email">Email: Enter a valid email address.</a>' in html
    assert '<a href="#id_consent">I agree to the privacy notice above: Please agree' in html
    assert '<a href="#id_name">' not in html
    assert 'value="Ada"' in html
    assert "Register</button>" in html
    assert event.summary not in html  # the form alone, not the whole event page


def test_the_address_after_an_error_leads_back_to_the_event(client):
    event = make_event()
    response = client.get(f"/en/events/{event.slug}/register/")
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()


def test_on_a_full_event_the_button_says_join_the_waiting_list(client):
    event = make_event(capacity=1)
    assert "Register</button>" in client.get(event.get_absolute_url()).content.decode()
    register(event)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Join the waiting list</button>" in html
    assert "Join the waiting list</button>" in post(client, event).content.decode()


def test_errors_on_a_full_event_without_a_waiting_list_say_it_is_full(client):
    event = make_event(capacity=1, waiting_list_enabled=False)
    register(event)
    response = post(client, event, email="ada@")
    assert response.status_code == 302
    assert "This event is full" in client.get(response["Location"]).content.decode()


def test_too_many_registrations_say_when_to_try_again(client, settings):
    settings.REGISTRATION_RATE_LIMIT = "1/5m"
    event = make_event()
    post(client, event)
    response = post(client, event)
    assert response.status_code == 429
    assert response["Retry-After"] == "300"
