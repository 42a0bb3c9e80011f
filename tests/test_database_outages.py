"""A database that is busy or away gets a quick, clear 503 with Retry-After, never a hung worker."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from events.models import Registration
from tests.conftest import run_manage
from tests.events_helpers import make_event

UNREACHABLE = {
    "DEBUG": "on",
    "ALLOWED_HOSTS": "testserver",
    # Port 9 (discard) on loopback: nothing listens there.
    "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing?connect_timeout=2",
    "LOG_LEVEL": "WARNING",
}

VISIT_WHILE_AWAY = """
from django.test import Client
client = Client(raise_request_exception=False)
form = {"name": "Ada", "email": "a@example.org", "consent": "on"}
for answer in (
    client.get("/en/events/"),
    client.get("/en/news/?page=2"),
    client.post("/en/events/some-event/register/", form),
    client.get("/readyz"),
    client.get("/readyz"),
):
    page = answer.content.decode()
    print("ANSWER", answer.status_code, answer.get("Retry-After"), "Temporarily unavailable" in page
          or page.strip(), "content-security-policy" in answer)
print("HEALTH", Client().get("/healthz").status_code)
"""


def test_with_the_database_away_pages_answer_503_with_retry_after_and_the_sites_page():
    result = run_manage("shell", "-c", VISIT_WHILE_AWAY, env=UNREACHABLE)
    assert result.returncode == 0, result.stderr
    answers = [line.split()[1:] for line in result.stdout.splitlines() if line.startswith("ANSWER")]
    assert answers[:3] == [["503", "15", "True", "True"]] * 3
    assert answers[3:] == [["503", "None", "database", "unreachable", "True"]] * 2
    assert "HEALTH 200" in result.stdout
    log = result.stdout + result.stderr
    # One line when the database went away, however many requests met it; no traceback.
    assert log.count("Database unreachable, answering 503") == 1
    assert "Traceback" not in log


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_registration_that_cannot_get_the_event_lock_in_time_is_told_to_try_again(client):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    event = make_event(capacity=10)
    options = connection.settings_dict["OPTIONS"]["options"]
    assert "-c lock_timeout=3000" in options  # the site's setting, as every connection gets it
    settings = connection.settings_dict
    holder = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"] or "postgres",
        dbname=settings["NAME"],
    )
    held = threading.Event()

    def hold_the_event():
        with holder.transaction():
            holder.execute("SELECT id FROM events_event WHERE id = %s FOR UPDATE", [event.pk])
            held.set()
            time.sleep(8)

    thread = threading.Thread(target=hold_the_event)
    thread.start()
    try:
        held.wait(5)
        started = time.monotonic()
        response = client.post(
            f"/en/events/{event.slug}/register/",
            {"name": "Ada", "email": "ada@example.org", "consent": "on"},
            headers={"origin": "http://testserver"},
        )
        waited = time.monotonic() - started
    finally:
        thread.join()
        holder.close()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Busy, please try again" in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert 2.5 < waited < 5
    assert not Registration.objects.exists()
    # Once the lock is free, the same registration goes through.
    retried = client.post(
        f"/en/events/{event.slug}/register/",
        {"name": "Ada", "email": "ada@example.org", "consent": "on"},
        headers={"origin": "http://testserver"},
    )
    assert retried.status_code == 302
    assert Registration.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_every_connection_of_the_site_has_bounded_waits():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings")
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        lock_timeout = cursor.fetchone()[0]
        cursor.execute("SHOW statement_timeout")
        statement_timeout = cursor.fetchone()[0]
    assert (lock_timeout, statement_timeout) == ("3s", "15s")
