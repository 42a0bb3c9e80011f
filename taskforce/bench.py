"""
`make bench`: how fast the public pages are, compared with the framework's floor.

Builds two throw-away databases (the release fixtures alone, and the fixtures
plus a large synthetic archive), serves each with gunicorn as in production
(DEBUG off, whitenoise, the repository's gunicorn config), drives every page
with wrk from a second process, and prints one table: median requests/s and
latency of each page, its ratio to /healthz in the same run, with and without
the page cache, the ratio large/small, and its SQL query count.

The databases live on the server DATABASE_URL names when it is PostgreSQL
(databases jtf_bench_small and jtf_bench_large, recreated each run), otherwise
in SQLite files under .bench/. The developer's own database is never touched.
"""

import argparse
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
WORK = BASE_DIR / ".bench"
MANAGE = [sys.executable, str(BASE_DIR / "manage.py")]
CONNECTIONS = 32
REDIS_URL = "redis://127.0.0.1:6379/15"

# (label, path); {placeholders} are filled from the database being measured.
PAGES = [
    ("/healthz", "/healthz"),
    ("home", "/en/"),
    ("home (fr)", "/fr/"),
    ("news list", "/en/news/"),
    ("article", "{article}"),
    ("article (fr)", "{article_fr}"),
    ("topic", "{topic}"),
    ("quotes", "/en/quotes/"),
    ("events", "/en/events/"),
    ("event", "{event}"),
    ("RSS feed", "/en/news/feed/"),
    ("calendar.ics", "/en/events/calendar.ics"),
    ("search", "/en/search/?q=cities"),
]
REGISTER = "registration POST"

# Run inside Django against the bench database: the pages' URLs and query counts.
INSPECT = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from events.models import Event
from news.models import Article, Topic

newest = Article.objects.published().order_by("-publish_at", "-pk")
oldest = Article.objects.published().order_by("publish_at").first()
rotation = [
    "/en/", "/en/news/", "/en/news/?page=2", "/en/quotes/", "/en/events/", "/en/events/past/",
    *(topic.get_absolute_url() for topic in Topic.objects.order_by("name")[:13]),
    *(article.get_absolute_url() for article in newest[:30]),
    "/en/news/feed/", "/en/news/feed/atom/", "/en/events/calendar.ics", "/sitemap.xml",
    Topic.objects.get(slug="smart-cities").get_absolute_url() + "feed/",
    Event.objects.get(slug="bench-limited-event").get_absolute_url(),
]
urls = {
    "rotation": rotation,
    "edited": [article.pk for article in newest[:30]],
    "limited": Event.objects.get(slug="bench-limited-event").get_absolute_url(),
    "article": oldest.get_absolute_url(),
    "topic": Topic.objects.get(slug="smart-cities").get_absolute_url(),
    "event": Event.objects.get(slug="bench-open-event").get_absolute_url(),
    "register": Event.objects.get(slug="bench-open-event").get_absolute_url(),
}
with translation.override("fr"):
    urls["article_fr"] = oldest.get_absolute_url()
pages = json.loads(PAGES)
client = Client()
counts = {}
for label, path in pages:
    path = path.format(**urls)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path, secure=False).status_code
    counts[label] = [path, status, len(queries)]
print(json.dumps({"urls": urls, "counts": counts}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 3)))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 3)))
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--datasets", default="small,large")
    parser.add_argument(
        "--churn-only", action="store_true", help="Only the churn rows, on the large dataset."
    )
    args = parser.parse_args()
    if args.churn_only:
        args.datasets = "large"

    wrk = find_wrk()
    WORK.mkdir(exist_ok=True)
    cache_url = REDIS_URL if redis_is_reachable() else "locmemcache://"
    print(
        f"Database: {describe_database()}; cache: {cache_url}; wrk -c{CONNECTIONS}, "
        f"{args.runs} runs of {args.duration}s after {args.warmup}s warm-up",
        flush=True,
    )
    manage("collectstatic", "--no-input", "--verbosity", "0", env=bench_env("sqlite://"))

    results = {}
    for dataset in args.datasets.split(","):
        database_url = prepare_database(dataset)
        env = bench_env(database_url, cache_url=cache_url)
        info = inspect(env)
        for page_cache in (True,) if args.churn_only else (True, False):
            flush_cache(cache_url)
            with gunicorn(env, page_cache=page_cache) as base_url:
                for label, path in [] if args.churn_only else PAGES:
                    url = base_url + path.format(**info["urls"])
                    results[dataset, page_cache, label] = measure(wrk, url, args)
                if page_cache and not args.churn_only:
                    results[dataset, True, REGISTER] = measure_registrations(
                        wrk, base_url, info["urls"]["register"], env, args
                    )
                if page_cache and dataset == args.datasets.split(",")[-1]:
                    results["churn"] = measure_churn(wrk, base_url, info["urls"], env, args)
        results[dataset, "queries"] = info["counts"]
    if not args.churn_only:
        print_table(results, args.datasets.split(","))
    if "churn" in results:
        print_churn(results["churn"])


def find_wrk():
    wrk = shutil.which("wrk")
    if wrk is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk from Debian's packages...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("make bench needs wrk: install it (Debian: apt-get install wrk) and try again.")
    return wrk


def redis_is_reachable():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def flush_cache(cache_url):
    if cache_url.startswith("redis"):
        import redis

        redis.Redis.from_url(cache_url).flushdb()


def describe_database():
    url = os.environ.get("DATABASE_URL", "")
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


def prepare_database(dataset):
    """A fresh database for the dataset: migrated, the fixtures, and for 'large' the archive."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = f"jtf_bench_{dataset}"
        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        database_url = urlunsplit(parts._replace(path=f"/{name}"))
    else:
        path = WORK / f"{dataset}.sqlite3"
        for leftover in WORK.glob(f"{dataset}.sqlite3*"):
            leftover.unlink()
        database_url = f"sqlite:///{path}"
    env = bench_env(database_url)
    started = time.monotonic()
    fixtures = sorted(map(str, BASE_DIR.glob("fixtures/*.json")))
    manage("migrate", "--no-input", "--verbosity", "0", env=env)
    manage("loaddata", "--verbosity", "0", *fixtures, env=env)
    archive = ["--large"] if dataset == "large" else []
    manage("populate_archive", "--bench-event", *archive, env=env)
    print(f"{dataset} dataset ready in {time.monotonic() - started:.1f}s", flush=True)
    return database_url


def bench_env(database_url, cache_url="locmemcache://"):
    return {
        **os.environ,
        "ENV_FILE": os.devnull,
        "DEBUG": "off",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "off",
        "SESSION_COOKIE_SECURE": "off",
        "CSRF_COOKIE_SECURE": "off",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "EMAIL_URL": "consolemail://",
        "REGISTRATION_RATE_LIMIT": "1000000/s",
        # As in production: gunicorn answers, the outbox worker sends (see measure_registrations).
        "EMAIL_SEND_AT_ONCE": "off",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESSLOG": "",
    }


BENCH_SECRET_KEY = secrets.token_urlsafe(50)


def manage(*args, env):
    """Run manage.py in the bench environment; stop the bench if it fails."""
    command = [*MANAGE, *args]
    result = subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def inspect(env):
    code = INSPECT.replace("json.loads(PAGES)", repr(PAGES))
    output = manage("shell", "-c", code, env={**env, "PAGE_CACHE_SECONDS": "0"})
    return json.loads(output.strip().splitlines()[-1])


class gunicorn:
    def __init__(self, env, page_cache):
        self.port = free_port()
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "PAGE_CACHE_SECONDS": "60" if page_cache else "0",
        }

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "python:taskforce.gunicorn",
                "taskforce.wsgi",
            ],
            env=self.env,
            cwd=BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base_url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base_url + "/readyz", timeout=1)
                return base_url
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        sys.exit("gunicorn did not start within 30 seconds")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(wrk, url, args, script_args=()):
    """Median requests/s and latency of url, and its ratio to /healthz on the same server.

    Each run of the page follows a run of /healthz, and the ratio is the median of
    the pairs: a machine whose speed drifts during the bench moves both alike. Every
    run starts on an idle server: requests a slow page left queued would otherwise
    slow the next /healthz run and flatter the page's ratio.
    """
    floor_url = urlunsplit(urlsplit(url)._replace(path="/healthz", query=""))
    command = [wrk, "-t2", f"-c{CONNECTIONS}", "--latency", "--timeout", "10s"]

    def run(target, seconds, extra=()):
        wait_until_idle(url)
        output = subprocess.run(
            [*command, f"-d{seconds}s", target, *extra], capture_output=True, text=True
        ).stdout
        return parse_wrk(output)

    if args.warmup:
        run(url, args.warmup, script_args)
    runs, ratios = [], []
    for _ in range(args.runs):
        floor = run(floor_url, args.duration)
        runs.append(run(url, args.duration, script_args))
        ratios.append(runs[-1]["rps"] / floor["rps"] if floor["rps"] else 0)
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "x_floor": statistics.median(ratios),
        "p50": median_reading(r["p50"] for r in runs),
        "p99": median_reading(r["p99"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
    }


def median_reading(values):
    """The median of the runs that printed this figure (nan, as wrk's own, if none did)."""
    readings = [value for value in values if not math.isnan(value)]
    return statistics.median(readings) if readings else math.nan


def wait_until_idle(url, seconds=30):
    """Let the server finish requests queued by the previous page before measuring the next."""
    parts = urlsplit(url)
    healthz = urlunsplit(parts._replace(path="/healthz", query=""))
    quick_answers = 0
    deadline = time.monotonic() + seconds
    while quick_answers < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        urllib.request.urlopen(healthz, timeout=seconds).read()
        quick_answers = quick_answers + 1 if time.monotonic() - started < 0.02 else 0
        time.sleep(0.05)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output):
    def latency(percent):
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)$", output, re.M)
        return float(found.group(1)) * UNITS[found.group(2)] if found else float("nan")

    def number(pattern, default=0):
        found = re.search(pattern, output)
        return float(found.group(1)) if found else default

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in")),
        "p50": latency(50),
        "p99": latency(99),
        "errors": (int(errors.group(1)) if errors else 0)
        + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


REGISTER_SCRIPT = """
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  -- Every wrk process (warm-up and each run) gets its own prefix: no email twice.
  prefix, origin = args[1] .. "-" .. os.time(), args[2]
  sent = 0
end
function request()
  sent = sent + 1
  local body = "name=Bench+Visitor&organisation=Bench&consent=on"
    .. "&email=bench-" .. prefix .. "-" .. id .. "-" .. sent .. "%40example.org"
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = origin,
  }, body)
end
"""

COUNT_REGISTRATIONS = """
from django.db.models import Count
from django.db.models.functions import Lower
from events.models import OutgoingEmail, Registration
rows = Registration.objects.filter(event__slug="bench-open-event")
duplicates = rows.values(lower=Lower("email")).annotate(n=Count("id")).filter(n__gt=1).count()
emails = OutgoingEmail.objects.filter(registration__event__slug="bench-open-event")
sent = emails.filter(sent_at__isnull=False).count()
print(rows.count(), duplicates, rows.filter(status="confirmed").count(), sent, emails.count())
"""


def measure_registrations(wrk, base_url, path, env, args):
    """POST registrations with distinct emails; every one must be saved, none twice.

    The outbox worker runs alongside, as in production, so the CPU it spends
    rendering and sending the confirmations is part of the measurement.
    """
    script = WORK / "register.lua"
    script.write_text(REGISTER_SCRIPT)
    with urllib.request.urlopen(base_url + path) as response:
        url = base_url + register_path(response.read().decode(), path)
    before = count_registrations(env)
    script_args = ["-s", str(script), "--", secrets.token_hex(4), base_url]
    worker = subprocess.Popen(
        [*MANAGE, "send_pending_emails", "--loop", "--interval", "1"],
        env=env,
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        result = measure(wrk, url, args, script_args=script_args)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    after = count_registrations(env)
    saved = after["saved"] - before["saved"]
    # wrk counts only the answers it read before its clock stopped (and not the
    # warm-up's), so at least as many registrations must be saved as it counted.
    correct = (
        after["duplicates"] == 0
        and result["errors"] == 0
        and after["confirmed"] == after["saved"]
        and saved >= result["requests"]
    )
    emails = f"{after['sent'] - before['sent']} of {after['emails'] - before['emails']} emails sent"
    result["check"] = (
        f"ok; {emails} during the run"
        if correct
        else f"FAILED: {saved} saved for {result['requests']} answered, "
        f"{after['duplicates']} duplicates, {result['errors']} errors"
    )
    return result


ROTATION_SCRIPT = """
local paths = {PATHS}
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end
function init(args)
  n, hits, stale, misses = 0, 0, 0, 0
end
function request()
  n = n + 1
  return wrk.format("GET", paths[((n + offset) % #paths) + 1])
end
function response(status, headers, body)
  local state = headers["X-Page-Cache"]
  if state == "hit" then hits = hits + 1
  elseif state == "stale" then stale = stale + 1
  else misses = misses + 1 end
end
function done(summary, latency, requests)
  local h, s, m = 0, 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits"); s = s + thread:get("stale"); m = m + thread:get("misses")
  end
  io.write(string.format("page-cache: %d hit, %d stale, %d rendered\\n", h, s, m))
end
"""

EDITOR = """
import sys, time
from news.models import Article
ids, seconds, every = {IDS}, {SECONDS}, {EVERY}
articles = list(Article.objects.filter(pk__in=ids))
titles = [article.title for article in articles]
started, n = time.monotonic(), 0
while time.monotonic() - started < seconds:
    article = articles[n % len(articles)]
    article.title = f"{{titles[n % len(articles)]}} (edit {{n}})"
    article.save()
    n += 1
    time.sleep(max(0, started + n * every - time.monotonic()))
print(n)
"""

CHURN_EDIT_EVERY = 0.2
CHURN_RUNS = 5
CHURN_REGISTER_EVERY = 0.1


def measure_churn(wrk, base_url, urls, env, args):
    """
    55 pages in rotation at CONNECTIONS: steady, with an article edit every 0.2 s, and
    with a registration every 0.1 s on an event with a seat limit whose page is in the
    rotation. Runs alternate, so a machine that drifts moves all three alike.
    """
    script = WORK / "rotation.lua"
    paths = "{" + ", ".join(json.dumps(path) for path in urls["rotation"]) + "}"
    script.write_text(ROTATION_SCRIPT.replace("{PATHS}", paths))
    command = [wrk, "-t2", f"-c{CONNECTIONS}", "--latency", "--timeout", "10s", "-s", str(script)]

    def run(seconds):
        wait_until_idle(base_url + "/healthz")
        output = subprocess.run(
            [*command, f"-d{seconds}s", base_url + "/"], capture_output=True, text=True
        ).stdout
        reading = parse_wrk(output)
        found = re.search(r"page-cache: (\d+) hit, (\d+) stale, (\d+) rendered", output)
        reading["cache"] = tuple(map(int, found.groups())) if found else (0, 0, 0)
        return reading

    def editing(seconds):
        code = (
            EDITOR.replace("{IDS}", repr(urls["edited"]))
            .replace("{SECONDS}", str(seconds))
            .replace("{EVERY}", str(CHURN_EDIT_EVERY))
        )
        return subprocess.Popen(
            [*MANAGE, "shell", "-c", code], env=env, cwd=BASE_DIR, stdout=subprocess.PIPE
        )

    run(args.warmup or 1)
    modes = {"steady": [], "edits": [], "registrations": []}
    # More runs than the pages get: a tail latency needs more samples to settle.
    for _ in range(max(args.runs, CHURN_RUNS)):
        modes["steady"].append(run(args.duration))
        editor = editing(args.duration + 2)
        time.sleep(1.5)  # Django starts in the editor before the measured run
        modes["edits"].append(run(args.duration))
        editor.wait(timeout=60)
        with RegistrationBurst(base_url, urls["limited"], CHURN_REGISTER_EVERY) as burst:
            modes["registrations"].append(run(args.duration))
        modes["registrations"][-1]["registered"] = burst.answers
    return modes


class RegistrationBurst:
    """Registrations posted to `page` every `every` seconds from a thread, while it runs."""

    def __init__(self, base_url, page, every):
        import threading

        with urllib.request.urlopen(base_url + page) as response:
            self.url = base_url + register_path(response.read().decode(), page)
        self.origin = base_url
        self.every = every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.post, daemon=True)
        self.answers = {}

    def post(self):
        prefix = secrets.token_hex(4)
        n = 0
        while not self.stopping.wait(self.every):
            n += 1
            body = (f"name=Rush+Visitor&consent=on&email=rush-{prefix}-{n}%40example.org").encode()
            request = urllib.request.Request(
                self.url, data=body, headers={"Origin": self.origin}, method="POST"
            )
            opener = urllib.request.build_opener(NoRedirect)
            try:
                status = opener.open(request, timeout=10).status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = "error"
            self.answers[status] = self.answers.get(status, 0) + 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=15)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def print_churn(modes):
    steady_rps = statistics.median(run["rps"] for run in modes["steady"])
    steady_p99 = median_reading(run["p99"] for run in modes["steady"])
    print(
        "\nChurn: 55 pages in rotation (home, lists, 13 topics, the 30 newest articles, feeds, "
        "an event with a seat limit) at 32 connections; medians of the runs; x steady: "
        "over the steady runs; rendered: answers rendered afresh (the rest from the cache)."
    )
    header = (
        f"{'run':<34}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'x steady':>10}{'p99 x':>7}{'rendered':>10}"
    )
    print(header)
    print("-" * len(header))
    labels = {
        "steady": "no edits",
        "edits": f"an article edit every {CHURN_EDIT_EVERY} s",
        "registrations": f"a registration every {CHURN_REGISTER_EVERY} s",
    }
    for mode, runs in modes.items():
        rps = statistics.median(run["rps"] for run in runs)
        p50 = median_reading(run["p50"] for run in runs)
        p99 = median_reading(run["p99"] for run in runs)
        hits, stale, rendered = (sum(run["cache"][i] for run in runs) for i in range(3))
        answered = hits + stale + rendered
        share = f"{rendered / answered:.1%}" if answered else "-"
        row = (
            f"{labels[mode]:<34}{rps:>8.0f}{p50:>8.2f}{p99:>8.2f}"
            f"{rps / steady_rps:>10.2f}{p99 / steady_p99:>7.2f}{share:>10}"
        )
        errors = sum(run["errors"] for run in runs)
        if errors:
            row += f"  ({errors} errors)"
        if mode == "registrations":
            answers = {}
            for run in runs:
                for status, count in run.get("registered", {}).items():
                    answers[status] = answers.get(status, 0) + count
            posted = ", ".join(f"{n} answered {s}" for s, n in sorted(answers.items(), key=str))
            row += f"  posted: {posted}"
        print(row)
    print("targets: x steady >= 0.5, p99 x <= 3")


def count_registrations(env):
    counts = manage("shell", "-c", COUNT_REGISTRATIONS, env=env).split()[-5:]
    names = ["saved", "duplicates", "confirmed", "sent", "emails"]
    return dict(zip(names, map(int, counts), strict=True))


def register_path(html, page_path):
    match = re.search(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html) or re.search(
        r'<form[^>]*action="([^"]+)"[^>]*method="post"', html
    )
    return match.group(1) if match else page_path


def print_table(results, datasets):
    """One row a page: the largest dataset measured, ratios to /healthz of the same server."""
    main = datasets[-1]
    compare = "small" in datasets and main != "small"

    def ratio(a, b):
        return f"{a / b:.2f}" if b else "-"

    columns = [
        ("page", 18),
        ("req/s", 8),
        ("p50 ms", 7),
        ("p99 ms", 7),
        ("x floor", 8),
        ("no cache", 9),
        ("x floor", 8),
        ("L/S", 5),
        ("L/S nc", 7),
        ("queries", 8),
    ]
    print(
        f"\nDataset: {main}. x floor: requests/s over /healthz's on the same server, "
        "median of runs each paired with a /healthz run; no cache: PAGE_CACHE_SECONDS=0; "
        "L/S: x floor on the large dataset over x floor on the small (nc: no cache); "
        "queries: large/small, once with the test client."
    )
    header = " ".join(
        f"{name:<{width}}" if i == 0 else f"{name:>{width}}"
        for i, (name, width) in enumerate(columns)
    )
    print(header)
    print("-" * len(header))
    for label, _ in [*PAGES, (REGISTER, None)]:
        cached = results[main, True, label]
        uncached = results.get((main, False, label))
        cells = [
            f"{cached['rps']:.0f}",
            f"{cached['p50']:.2f}",
            f"{cached['p99']:.2f}",
            f"{cached['x_floor']:.2f}",
            f"{uncached['rps']:.0f}" if uncached else "-",
            f"{uncached['x_floor']:.2f}" if uncached else "-",
            ratio(cached["x_floor"], results["small", True, label]["x_floor"]) if compare else "-",
            ratio(uncached["x_floor"], results["small", False, label]["x_floor"])
            if compare and uncached
            else "-",
        ]
        queries = results[main, "queries"].get(label)
        small = results.get(("small", "queries"), {}).get(label) if compare else None
        cells.append(
            f"{queries[2]}/{small[2]}" if queries and small else str(queries[2]) if queries else "-"
        )
        row = f"{label:<18} " + " ".join(
            f"{cell:>{width}}" for cell, (_, width) in zip(cells, columns[1:], strict=True)
        )
        if "check" in cached:
            row += f"  {cached['check']}"
        elif cached["errors"]:
            row += f"  ({cached['errors']} errors)"
        print(row)


if __name__ == "__main__":
    main()
