import pytest

from tests.conftest import run_manage


def test_healthz_answers_without_touching_the_database(client):
    # No database fixture: any query here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_a_reachable_database_and_the_outbox(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == [
        "ok",
        "emails pending: 0",
        "oldest pending email: 0 s",
    ]


def test_readyz_and_a_check_tell_how_long_the_oldest_email_has_waited(client, db, settings):
    from datetime import timedelta

    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.utils import timezone

    from events.models import OutgoingEmail
    from tests.events_helpers import make_event, register

    settings.EMAIL_SEND_AT_ONCE = False
    register(make_event())
    OutgoingEmail.objects.update(created=timezone.now() - timedelta(minutes=20))
    lines = client.get("/readyz").content.decode().splitlines()
    assert lines[1] == "emails pending: 1"
    assert 1195 <= int(lines[2].removeprefix("oldest pending email: ").removesuffix(" s")) <= 1205
    with pytest.raises(
        SystemCheckError, match="1 emails are waiting to be sent; the oldest for 20"
    ):
        call_command("check", "--database", "default", "--fail-level", "WARNING")
    OutgoingEmail.objects.update(sent_at=timezone.now())
    call_command("check", "--database", "default", "--fail-level", "WARNING")


def test_readyz_is_503_when_the_database_is_unreachable():
    script = (
        "from django.test import Client; r = Client().get('/readyz'); "
        "print(r.status_code, r.content.decode().strip())"
    )
    result = run_manage(
        "shell",
        "-c",
        script,
        env={
            "DEBUG": "on",
            "ALLOWED_HOSTS": "testserver",
            # Port 9 (discard) on loopback: nothing listens there.
            "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing?connect_timeout=2",
            "LOG_LEVEL": "CRITICAL",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "503 database unreachable"
