"""Settings come from the environment, with safe defaults and a clear failure."""

import json

from tests.conftest import PRODUCTION_ENV, run_manage

PRINT_SETTINGS = (
    "from django.conf import settings as s; import json; "
    "print(json.dumps({'debug': s.DEBUG, 'db': s.DATABASES['default'], "
    "'cache': s.CACHES['default']['BACKEND'], 'cache_options': s.CACHES['default'].get('OPTIONS'), "
    "'email': s.EMAIL_BACKEND, "
    "'hosts': s.ALLOWED_HOSTS, 'ssl_redirect': s.SECURE_SSL_REDIRECT, "
    "'hsts': s.SECURE_HSTS_SECONDS, 'secure_cookies': s.SESSION_COOKIE_SECURE}, default=str))"
)


def read_settings(env):
    result = run_manage("shell", "-c", PRINT_SETTINGS, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_missing_secret_key_with_debug_off_fails_with_a_clear_message():
    result = run_manage("check", env={"DEBUG": "off"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_defaults_to_off_and_production_security_to_on():
    values = read_settings({"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"]})
    assert values["debug"] is False
    assert values["ssl_redirect"] is True
    assert values["secure_cookies"] is True
    assert values["hsts"] >= 31_536_000


def test_local_defaults_are_sqlite_a_shared_database_cache_and_console_email():
    values = read_settings({"DEBUG": "on"})
    assert values["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["db"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in values["db"]["OPTIONS"]["init_command"]
    # Shared by every process on the database: a change made from a command shows at once.
    assert values["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["ssl_redirect"] is False


def test_environment_selects_postgres_redis_and_smtp():
    values = read_settings(
        {
            **PRODUCTION_ENV,
            "DATABASE_URL": "postgres://jtf:secret@db.internal:5432/jtf",
            "CONN_MAX_AGE": "120",
        }
    )
    assert values["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["db"]["HOST"] == "db.internal"
    assert values["db"]["NAME"] == "jtf"
    assert values["db"]["CONN_MAX_AGE"] == 120
    assert values["cache"] == "django_redis.cache.RedisCache"
    # Redis holds only what can be rebuilt: the site carries on without it.
    assert values["cache_options"]["IGNORE_EXCEPTIONS"] is True
    assert values["cache_options"]["SOCKET_TIMEOUT"] <= 1
    assert values["cache_options"]["CONNECTION_POOL_CLASS"].endswith("FailFastConnectionPool")
    # SMTP with one deadline for the whole conversation (taskforce/mail.py).
    assert values["email"] == "taskforce.mail.DeadlineEmailBackend"
    assert values["hosts"] == ["jtf.example.org"]


def test_postgres_waits_for_locks_and_statements_a_bounded_time():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://jtf:secret@db.internal:5432/jtf"}
    options = read_settings(env)["db"]["OPTIONS"]
    assert "-c lock_timeout=3000" in options["options"]
    assert "-c statement_timeout=15000" in options["options"]
    assert options["connect_timeout"] == 3
    tuned = read_settings(
        {**env, "DATABASE_LOCK_TIMEOUT": "1.5", "DATABASE_STATEMENT_TIMEOUT": "0"}
    )
    assert "-c lock_timeout=1500" in tuned["db"]["OPTIONS"]["options"]
    assert "-c statement_timeout=0" in tuned["db"]["OPTIONS"]["options"]


def test_postgres_prepares_statements_unless_a_pooler_needs_them_off():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://jtf:secret@db.internal:5432/jtf"}
    options = read_settings(env)["db"]["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] > 0
    behind_pooler = read_settings({**env, "DATABASE_PREPARED_STATEMENTS": "off"})["db"]
    assert "prepare_threshold" not in behind_pooler.get("OPTIONS", {})


def test_sqlite_file_database_runs_in_wal_mode(tmp_path):
    database = tmp_path / "site.sqlite3"
    result = run_manage(
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        env={"DEBUG": "on", "DATABASE_URL": f"sqlite:///{database}"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "wal"


def test_check_deploy_with_production_values_reports_nothing():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)" in result.stdout


def test_check_deploy_warns_when_the_cache_is_per_process():
    env = {**PRODUCTION_ENV, "CACHE_URL": "locmemcache://"}
    result = run_manage("check", "--deploy", env=env)
    assert "taskforce.W001" in result.stdout + result.stderr
