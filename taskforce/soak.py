"""
`make soak`: ten minutes of mixed traffic while the neighbours misbehave.

The site runs as in production (gunicorn with 4 workers, the outbox worker,
PostgreSQL, Redis), reaching its database, Redis and mail server through
stand-ins of this run's own on loopback ports: a TCP proxy to PostgreSQL
(DATABASE_URL's server, database jtf_soak, recreated), a redis-server of its
own, and an SMTP sink (aiosmtpd) behind a proxy. Visitors read pages, search,
register for events with and without a seat limit and cancel from the link in
their email, while the mail server stalls for a minute, the database is
unreachable for 15 seconds and Redis restarts. Then the faults are healed, the
outbox drains, and the run checks and prints:

- every registration answered as confirmed or waitlisted is in the database
  exactly once, and every cancellation answered is cancelled there;
- every email the site recorded was delivered exactly once;
- no answer was a 5xx except the documented 503s (database away or busy).

It exits non-zero when a check fails. SOAK_SECONDS shortens or lengthens it
(the faults keep their places in proportion).
"""

import email
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from taskforce.faults import SMTPSink, TCPProxy, free_port

BASE_DIR = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(BASE_DIR / "manage.py")]
SECONDS = int(os.environ.get("SOAK_SECONDS", 600))
WORKERS = 4
SECRET_KEY = secrets.token_urlsafe(50)
DATABASE = "jtf_soak"
PAGES = ["/en/", "/en/news/", "/en/news/?utm_source=soak", "/en/quotes/", "/en/events/",
         "/en/events/past/", "/en/about/", "/en/news/feed/", "/en/events/calendar.ics",
         "/fr/", "/fr/news/", "/sitemap.xml"]  # fmt: skip
WORDS = ["cities", "standards", "water", "energy", "data", "mobility", "resilience", "zzz"]
RESULT_SALT = "events.registration-result"

# (fraction of the run when it starts, fraction when it ends)
MAIL_STALL = (0.10, 0.20)
DATABASE_CUT = (0.35, 0.35 + 15 / 600)
REDIS_RESTART = 0.55

SETUP = """
from datetime import timedelta
from django.utils import timezone
from events.models import Event
now = timezone.now()
for slug, capacity in (("soak-limited", 40), ("soak-open", None)):
    Event.objects.create(
        title=f"Soak event {slug}", slug=slug, summary="An event for the soak.",
        start=now + timedelta(days=5), end=now + timedelta(days=5, hours=2),
        time_zone="Europe/Zurich", venue_name="Geneva", capacity=capacity,
        waiting_list_enabled=True, status=Event.Status.PUBLISHED,
    )
"""

REPORT = """
import json
from events.models import OutgoingEmail, Registration
rows = Registration.objects.filter(event__slug__startswith="soak-")
print(json.dumps({
    "registrations": [[r.email, r.status] for r in rows],
    "emails": [[e.to, e.subject, e.sent_at is not None] for e in OutgoingEmail.objects.all()],
}))
"""


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.kinds = Counter()
        self.answered = {}  # email -> "confirmed" / "waitlisted"
        self.outcomes = Counter()
        self.cancelled = set()
        self.server_errors = []

    def count(self, kind, status, path):
        with self.lock:
            self.kinds[kind] += 1
            self.statuses[status] += 1
            if isinstance(status, int) and status >= 500 and status != 503:
                self.server_errors.append((status, path))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, data=None, headers=None, opener=None):
    """(status, headers, body) of one request; status 'error' when no answer came."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    opener = opener or urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except OSError:
        return "error", {}, b""


class Visitors:
    """Threads of visitors until stop is set."""

    def __init__(self, base_url, sink, tally):
        self.base_url = base_url
        self.sink = sink
        self.tally = tally
        self.stop = threading.Event()
        self.threads = []

    def start(self):
        for target, count in ((self.reader, 4), (self.registrant, 2), (self.canceller, 1)):
            for n in range(count):
                thread = threading.Thread(target=target, args=(random.Random(n),), daemon=True)
                thread.start()
                self.threads.append(thread)

    def join(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def reader(self, rng):
        while not self.stop.wait(0.02):
            if rng.random() < 0.3:
                kind, path = "search", f"/en/search/?q={rng.choice(WORDS)}"
            else:
                kind, path = "page", rng.choice(PAGES)
            status, _, _ = fetch(self.base_url + path)
            self.tally.count(kind, status, path)

    def registrant(self, rng):
        n = 0
        prefix = secrets.token_hex(3)
        while not self.stop.wait(0.2):
            n += 1
            slug = "soak-limited" if rng.random() < 0.6 else "soak-open"
            address = f"soak-{prefix}-{n}@example.org"
            path = f"/en/events/{slug}/register/"
            body = urllib.parse.urlencode(
                {"name": "Soak Visitor", "email": address, "consent": "on"}
            ).encode()
            status, headers, _ = fetch(
                self.base_url + path, data=body, headers={"Origin": self.base_url}
            )
            self.tally.count("registration", status, path)
            if status == 302:
                outcome = self.outcome(headers.get("Location", ""))
                with self.tally.lock:
                    self.tally.outcomes[outcome] += 1
                    if outcome in ("confirmed", "waitlisted"):
                        self.tally.answered[address] = outcome

    @staticmethod
    def outcome(location):
        """The outcome the result page at `location` will show (events.views signs it)."""
        from django.core import signing

        parts = location.rstrip("/").split("/")
        slug, signed = parts[-3], parts[-1]
        try:
            value = signing.loads(
                signed, key=SECRET_KEY, salt=f"{RESULT_SALT}:{slug}", fallback_keys=[]
            )
        except signing.BadSignature:
            return "unreadable"
        return value["outcome"]

    def canceller(self, rng):
        done = set()
        while not self.stop.wait(2):
            links = [
                (address, link)
                for address, link in self.sink.manage_links()
                if address not in done and self.tally.answered.get(address) == "confirmed"
            ]
            if not links:
                continue
            address, link = rng.choice(links)
            done.add(address)
            jar = CookieJar()
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(jar), NoRedirect
            )
            cancel = self.base_url + link + "cancel/"
            status, _, body = fetch(cancel, opener=opener)
            self.tally.count("cancellation", status, link)
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
            if status != 200 or not token:
                continue
            data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode()})
            status, _, _ = fetch(
                cancel, data=data.encode(), headers={"Referer": cancel}, opener=opener
            )
            self.tally.count("cancellation", status, link)
            if status == 302:
                with self.tally.lock:
                    self.tally.cancelled.add(address)


class Sink(SMTPSink):
    def manage_links(self):
        links = []
        with self.lock:
            envelopes = list(self.messages)
        for envelope in envelopes:
            message = email.message_from_bytes(envelope.content)
            for part in message.walk():
                if part.get_content_type() != "text/plain":
                    continue
                text = part.get_payload(decode=True).decode("utf-8", "replace")
                found = re.search(r"/en/events/manage/[A-Za-z0-9_:.-]+/", text)
                if found:
                    links.append((envelope.rcpt_tos[0], found.group(0)))
                    break
        return links

    def delivered(self):
        with self.lock:
            envelopes = list(self.messages)
        return Counter(
            (envelope.rcpt_tos[0], str(email.message_from_bytes(envelope.content)["Subject"]))
            for envelope in envelopes
        )


class RedisServer:
    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            sys.exit("make soak needs redis-server (Debian: apt-get install redis-server).")
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        sys.exit("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def recreate_database(url):
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    return parts


def site_env(database_url, redis_port, smtp_port):
    return {
        **os.environ,
        "ENV_FILE": os.devnull,
        "DEBUG": "off",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "off",
        "SESSION_COOKIE_SECURE": "off",
        "CSRF_COOKIE_SECURE": "off",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "5",
        "REGISTRATION_RATE_LIMIT": "1000000/s",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_ACCESSLOG": "",
        "LOG_LEVEL": "WARNING",
    }


def manage(*args, env):
    result = subprocess.run([*MANAGE, *args], env=env, cwd=BASE_DIR, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def say(started, message):
    print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)


def main():
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not url.startswith("postgres"):
        sys.exit("make soak runs on PostgreSQL: set DATABASE_URL=postgres://... (any database)")
    parts = recreate_database(url)
    database_proxy = TCPProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    direct_url = urlunsplit(parts._replace(path=f"/{DATABASE}"))
    netloc = f"{parts.username or 'postgres'}@127.0.0.1:{database_proxy.port}"
    proxied_url = urlunsplit(parts._replace(netloc=netloc, path=f"/{DATABASE}"))
    redis = RedisServer()
    redis.start()
    sink = Sink()
    mail_proxy = TCPProxy("127.0.0.1", sink.port)
    env = site_env(proxied_url, redis.port, mail_proxy.port)
    direct_env = {**env, "DATABASE_URL": direct_url}
    fixtures = sorted(map(str, BASE_DIR.glob("fixtures/*.json")))
    manage("migrate", "--no-input", "--verbosity", "0", env=direct_env)
    manage("loaddata", "--verbosity", "0", *fixtures, env=direct_env)
    manage("shell", "-c", SETUP, env=direct_env)
    manage("collectstatic", "--no-input", "--verbosity", "0", env=direct_env)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    site = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "python:taskforce.gunicorn",
         "taskforce.wsgi"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, cwd=BASE_DIR,
    )  # fmt: skip
    worker = subprocess.Popen([*MANAGE, "send_pending_emails", "--loop"], env=env, cwd=BASE_DIR)
    deadline = time.monotonic() + 60
    while fetch(base_url + "/readyz")[0] != 200:
        if time.monotonic() > deadline:
            sys.exit("The site did not start")
        time.sleep(0.2)

    tally = Tally()
    visitors = Visitors(base_url, sink, tally)
    started = time.monotonic()
    print(
        f"Soak: {SECONDS} s of traffic, gunicorn with {WORKERS} workers and the outbox worker, "
        f"PostgreSQL (through a proxy), Redis (own server), SMTP sink (through a proxy)",
        flush=True,
    )
    visitors.start()
    schedule = [
        (MAIL_STALL[0], "mail server stalls", mail_proxy.stall),
        (MAIL_STALL[1], "mail server answers again", mail_proxy.restore),
        (DATABASE_CUT[0], "database unreachable", database_proxy.cut),
        (DATABASE_CUT[1], "database reachable again", database_proxy.restore),
        (REDIS_RESTART, "Redis restarts", lambda: (redis.stop(), redis.start())),
    ]
    for fraction, what, act in schedule:
        time.sleep(max(0, started + fraction * SECONDS - time.monotonic()))
        act()
        say(started, what)
    time.sleep(max(0, started + SECONDS - time.monotonic()))
    visitors.join()
    say(started, "traffic stopped; waiting for the outbox to drain")

    report = {}
    drain_deadline = time.monotonic() + 240
    while time.monotonic() < drain_deadline:
        import json

        report = json.loads(manage("shell", "-c", REPORT, env=direct_env).strip().splitlines()[-1])
        if all(sent for _, _, sent in report["emails"]):
            break
        time.sleep(5)
    drained = all(sent for _, _, sent in report["emails"])
    say(started, "outbox drained" if drained else "outbox NOT drained")

    worker.send_signal(signal.SIGTERM)
    site.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    site.wait(timeout=60)
    ok = print_counts(tally, report, sink)
    mail_proxy.close()
    database_proxy.close()
    sink.close()
    redis.stop()
    sys.exit(0 if ok else 1)


def print_counts(tally, report, sink):
    rows = Counter(address for address, _ in report["registrations"])
    status_of = dict(report["registrations"])
    answered = tally.answered
    once = [address for address in answered if rows[address] == 1]
    cancelled_ok = [address for address in tally.cancelled if status_of.get(address) == "cancelled"]
    due = Counter((to, subject) for to, subject, _ in report["emails"])
    delivered = sink.delivered()
    exactly_once = sum(1 for key in due if delivered[key] == 1)
    duplicates = sum(max(delivered[key] - 1, 0) for key in delivered)
    missing = sum(1 for key in due if delivered[key] == 0)
    unexpected = sum(count for key, count in delivered.items() if key not in due)
    confirmed = sum(1 for outcome in answered.values() if outcome == "confirmed")
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items(), key=str))
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(tally.kinds.items()))
    print()
    print(f"requests: {sum(tally.kinds.values())} ({kinds})")
    print(f"answers: {statuses}")
    print(f"5xx other than the documented 503: {len(tally.server_errors)}")
    outcomes = ", ".join(f"{name} {n}" for name, n in sorted(tally.outcomes.items()))
    print(f"registration outcomes: {outcomes}")
    print(
        f"registrations answered confirmed: {confirmed}, waitlisted: {len(answered) - confirmed}; "
        f"in the database exactly once: {len(once)} of {len(answered)}"
    )
    print(f"cancellations answered: {len(tally.cancelled)}; cancelled in the database: "
          f"{len(cancelled_ok)}")  # fmt: skip
    print(
        f"emails due: {sum(due.values())}; delivered exactly once: {exactly_once}; "
        f"duplicates: {duplicates}; missing: {missing}; not due: {unexpected}"
    )
    ok = (
        not tally.server_errors
        and tally.statuses.get("error", 0) == 0
        and len(once) == len(answered)
        and "unreadable" not in tally.outcomes
        and answered
        and len(cancelled_ok) == len(tally.cancelled)
        and exactly_once == len(due)
        and duplicates == missing == unexpected == 0
        and all(count == 1 for count in due.values())
    )
    print("result:", "ok" if ok else "FAILED")
    for status, path in tally.server_errors[:20]:
        print(f"  {status} {path}")
    return ok


if __name__ == "__main__":
    main()
