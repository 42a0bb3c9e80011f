from tests.conftest import run_manage


def test_healthz_answers_without_touching_the_database(client):
    # No database fixture: any query here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_a_reachable_database(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


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
