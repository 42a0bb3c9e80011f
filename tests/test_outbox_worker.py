"""
The outbox worker as a service, against misbehaving neighbours started here on free
ports: mail servers that stall or drip, a worker killed outright, a database that
goes away. Registration never waits for any of them.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from django.db import connection

from events.emails import MailServerUnavailable, send_pending
from events.models import OutgoingEmail
from taskforce.faults import DrippingServer, SilentServer, SMTPSink, TCPProxy
from tests.conftest import BASE_DIR, run_manage
from tests.events_helpers import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_server_at(settings):
    """The site's SMTP settings, as EMAIL_URL=smtp://127.0.0.1:<port> gives them."""

    def point_at(port, timeout=1):
        settings.EMAIL_BACKEND = "taskforce.mail.DeadlineEmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = timeout

    return point_at


def register_through_the_form(client, event, n):
    data = {"name": "Ada", "email": f"ada{n}@example.org", "consent": "on"}
    started = time.monotonic()
    response = client.post(
        f"/en/events/{event.slug}/register/", data, headers={"origin": "http://testserver"}
    )
    return response, time.monotonic() - started


@pytest.mark.parametrize("bad_server", [SilentServer, DrippingServer])
def test_a_stalled_or_dripping_mail_server_holds_no_visitor_and_no_worker_round(
    bad_server, client, settings, mail_server_at
):
    settings.EMAIL_SEND_AT_ONCE = False  # the default: the worker sends
    event = make_event()
    with bad_server() as server:
        mail_server_at(server.port, timeout=1)
        for n in range(5):
            response, seconds = register_through_the_form(client, event, n)
            assert response.status_code == 302
            assert seconds < 1
        started = time.monotonic()
        with pytest.raises(MailServerUnavailable):
            send_pending()
        # One deadline for the round, not one (or forever) per email.
        assert time.monotonic() - started < 2
    pending = OutgoingEmail.objects.filter(sent_at__isnull=True)
    assert pending.count() == 5
    assert set(pending.values_list("attempts", flat=True)) == {0}  # an outage costs no try


def test_sending_in_the_request_is_bounded_by_the_whole_conversations_deadline(
    client, settings, mail_server_at
):
    """Django's own backend waits per read: against this server it would take minutes."""
    settings.EMAIL_SEND_AT_ONCE = True
    event = make_event()
    with DrippingServer(interval=0.1) as server:
        mail_server_at(server.port, timeout=1)
        response, seconds = register_through_the_form(client, event, 1)
    assert response.status_code == 302
    assert seconds < 2.5
    assert event.registrations.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_healthz_answers_while_registrations_meet_a_stalled_mail_server(
    live_server, settings, mail_server_at
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent registrations need PostgreSQL (the SQLite test database is in memory)"
        )
    settings.EMAIL_SEND_AT_ONCE = False
    event = make_event()
    url = f"{live_server.url}/en/events/{event.slug}/register/"
    with SilentServer() as server:
        mail_server_at(server.port, timeout=5)
        answers = []

        def register(n):
            body = f"name=Ada&email=ada{n}%40example.org&consent=on".encode()
            request = urllib.request.Request(url, data=body, headers={"Origin": live_server.url})
            started = time.monotonic()
            with urllib.request.urlopen(request, timeout=10) as response:
                answers.append((response.status, time.monotonic() - started))

        threads = [threading.Thread(target=register, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=10) as health:
            assert health.status == 200
        assert time.monotonic() - started < 0.5
        for thread in threads:
            thread.join()
    assert len(answers) == 8
    assert all(status == 200 and seconds < 1 for status, seconds in answers)
    assert event.registrations.count() == 8


def site_env(**values):
    return {
        "PATH": os.environ.get("PATH", ""),
        "ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "taskforce.settings",
        "DEBUG": "on",
        "LOG_LEVEL": "WARNING",
        **values,
    }


def start_worker(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_pending_emails", "--loop", "--interval", "0.2"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


QUEUE_EMAILS = """
from tests.events_helpers import make_event, register
event = make_event(capacity=None)
for n in range({count}):
    register(event, email="reader{offset}-" + str(n) + "@example.org")
"""


def test_a_worker_killed_mid_batch_sends_at_most_the_one_in_flight_twice(tmp_path):
    with SMTPSink(delay=0.05) as sink:
        env = site_env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
        )
        for command in (["migrate"], ["shell", "-c", QUEUE_EMAILS.format(count=40, offset="")]):
            result = run_manage(*command, env=env, timeout=120)
            assert result.returncode == 0, result.stderr
        worker = start_worker(env)
        assert wait_until(lambda: len(sink.messages) >= 8)
        worker.kill()  # SIGKILL: no chance to release or record anything
        worker.communicate()
        # The emails it had claimed wait CLAIM_SECONDS; a later round finds them then.
        lapse = "from events.models import OutgoingEmail as E; E.objects.update(claimed_until=None)"
        assert run_manage("shell", "-c", lapse, env=env).returncode == 0
        result = run_manage("send_pending_emails", env=env, timeout=120)
        assert "still pending" in result.stdout, result.stderr
        recipients = sink.recipients()
    assert set(recipients) == {f"reader-{n}@example.org" for n in range(40)}
    assert len(recipients) - 40 <= 1
    assert "0 still pending" in result.stdout


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_rides_out_a_database_outage_and_sends_once_it_is_back(settings):
    if connection.vendor != "postgresql":
        pytest.skip("a database to cut off needs PostgreSQL (SQLite is a file)")
    database = connection.settings_dict
    proxy = TCPProxy(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    settings.EMAIL_SEND_AT_ONCE = False
    with SMTPSink() as sink:
        user = database["USER"] or "postgres"
        env = site_env(
            DATABASE_URL=f"postgres://{user}@127.0.0.1:{proxy.port}/{database['NAME']}",
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            CONN_MAX_AGE="60",
        )
        exec(QUEUE_EMAILS.format(count=3, offset="a"))
        worker = start_worker(env)
        try:
            assert wait_until(lambda: len(sink.messages) == 3)
            proxy.cut()
            exec(QUEUE_EMAILS.format(count=3, offset="b"))  # written while the worker is cut off
            time.sleep(4)
            assert worker.poll() is None, "the worker exited during the outage"
            assert len(sink.messages) == 3
            proxy.restore()
            assert wait_until(lambda: len(sink.messages) == 6)
            assert worker.poll() is None
        finally:
            worker.send_signal(signal.SIGTERM)
            output = worker.communicate(timeout=30)[0]
            proxy.close()
        recipients = sink.recipients()
    assert sorted(recipients) == sorted(
        [f"readera-{n}@example.org" for n in range(3)]
        + [f"readerb-{n}@example.org" for n in range(3)]
    )
    assert output.count("Database unreachable, the outbox waits") == 1, output
    assert "Database unreachable: back after" in output
    assert worker.returncode == 0


def test_the_outbox_page_in_the_admin_says_how_long_the_oldest_email_has_waited(
    admin_client, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.events_helpers import register

    settings.EMAIL_SEND_AT_ONCE = False
    register(make_event())
    register(make_event())
    OutgoingEmail.objects.filter(pk=OutgoingEmail.objects.first().pk).update(
        created=timezone.now() - timedelta(minutes=45)
    )
    page = admin_client.get("/admin/events/outgoingemail/").content.decode()
    assert "2 emails waiting to be sent; the oldest for 45 minutes." in page
