"""gunicorn configuration: `gunicorn --config python:taskforce.gunicorn taskforce.wsgi`.

Every value can be overridden from the environment (GUNICORN_WORKERS, ...).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, one per core plus one: pages are short, CPU-bound renders.
workers = int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
timeout = 30
graceful_timeout = 30
keepalive = 5
# A worker is replaced after about 100,000 requests, a guard against slow leaks.
# Replacing one stalls requests for up to half a second, so it must stay rare at
# peak load (about 1,000 requests a second a worker here; at 10,000 it happened
# every few seconds). The master loads the site once: a new worker is a fork
# instead of a fresh import of Django and the site (about a second of CPU).
# Nothing opens a connection at import time, so no database or Redis socket is
# shared. New code needs a restart, not a HUP.
preload_app = True
max_requests = 100_000
max_requests_jitter = 10_000
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25.1+ opens a control socket for gunicornc at ~/.gunicorn/gunicorn.ctl, one path
# for every instance the same user runs, so a second instance takes over the first's.
# Off, unless GUNICORN_CONTROL_SOCKET names a path of this instance's own.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
